import gc

from entryfiling.app import create_app

app = create_app()
# What start-up built (declarations, catalogues, schemas, mappers) lives as long as the worker: moved
# out of the collector's generations, a full collection no longer walks it again and again.
gc.freeze()
