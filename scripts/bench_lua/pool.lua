-- One request per line of the file named by BENCH_ITEMS: method, path, bearer token, body (tab-separated).
-- Lines are shared out between wrk's threads; each thread walks its own lines in turn, so with more
-- lines than connections no two requests in flight touch the same line. With BENCH_ETAG=1 the ETag of
-- each answer ("<filing id>-<version>") becomes the If-Match of that filing's next request.
-- BENCH_ONCE=1: each line is sent once (submit, login codes); a thread past its last line stops.
local thread_counter = 0
function setup(thread)
    thread:set("thread_index", thread_counter)
    thread_counter = thread_counter + 1
end

local items, etags, sent = {}, {}, 0
local track_etag = os.getenv("BENCH_ETAG") == "1"
local once = os.getenv("BENCH_ONCE") == "1"

function init(args)
    local threads = tonumber(os.getenv("BENCH_THREADS"))
    local line_number = 0
    for line in io.lines(os.getenv("BENCH_ITEMS")) do
        if line_number % threads == thread_index then
            local method, path, token, filing, etag, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
            items[#items + 1] = {method = method, path = path, token = token, filing = filing, body = body}
            if etag ~= "" then etags[filing] = etag end
        end
        line_number = line_number + 1
    end
end

function request()
    sent = sent + 1
    if once and sent > #items then
        wrk.thread:stop()
    end
    local item = items[((sent - 1) % #items) + 1]
    -- As browsers and the mini-program's wx.request do: the answer may come gzip-encoded.
    local headers = {["Content-Type"] = "application/json", ["Accept-Encoding"] = "gzip, deflate"}
    if item.token ~= "" then headers["Authorization"] = "Bearer " .. item.token end
    if track_etag then headers["If-Match"] = etags[item.filing] end
    return wrk.format(item.method, item.path, headers, item.body ~= "" and item.body or nil)
end

function response(status, headers, body)
    if track_etag then
        local etag = headers["ETag"] or headers["Etag"] or headers["etag"]
        if etag then
            local filing = etag:match('"(%d+)%-%d+"')
            if filing then etags[filing] = etag end
        end
    end
end

function done(summary, latency, requests)
    io.write(string.format(
        'BENCH {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
        summary.requests, summary.duration, summary.errors.status,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        latency:percentile(50), latency:percentile(99)))
end
