# The Python layer's handler shim (_HANDLER=otel_wrapper.lambda_handler), doing what
# open-telemetry/opentelemetry-lambda@faa4ca46 python/src/otel/otel_sdk/otel_wrapper.py does:
# import the user's module named by ORIG_HANDLER (slashes as dots) once the runtime imports this
# one, so that the instrumentation's patch of it holds, and expose its handler.
import os
from importlib import import_module

_module, _, _name = os.environ["ORIG_HANDLER"].rpartition(".")
lambda_handler = getattr(import_module(_module.replace("/", ".")), _name)
