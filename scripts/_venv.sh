# Sourced by scripts/dev and scripts/test: make sure .venv exists and holds this project with its
# dev dependencies, reinstalling only when pyproject.toml changed since the last good install.
venv=.venv
python=${PYTHON:-python3}

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv with $python" >&2
    "$python" -m venv "$venv"
fi

stamp="$venv/.entryfiling-dev-install.sha256"
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)
if [[ "$have" != "$want" ]] || ! "$venv/bin/python" -c 'import importlib.metadata as m; m.version("entryfiling")' 2>/dev/null; then
    echo "installing the project and its dependencies into $venv (first time takes a minute)" >&2
    rm -f "$stamp"
    log="$venv/.entryfiling-dev-install.log"
    if ! { "$venv/bin/python" -m pip install --disable-pip-version-check --upgrade pip setuptools \
           && "$venv/bin/python" -m pip install --disable-pip-version-check -e '.[dev]'; } >"$log" 2>&1; then
        cat "$log" >&2
        echo "pip install failed (log above, also in $log)" >&2
        exit 1
    fi
    echo "$want" >"$stamp"
fi
