"""qprof's sitecustomize: `qprof record` puts its directory first on
PYTHONPATH (docs/SHIM.md "Python").  It installs qprof's import hook for
qaicrt (qprof_pyhooks), then runs the sitecustomize it shadows (the next
one on sys.path, e.g. the application's or the distribution's), which then
stands as the `sitecustomize` module; an error there is reported by site.py
as it would be without qprof."""
import os as _os
import sys as _sys


def _qprof_install():
    try:
        import qprof_pyhooks
        qprof_pyhooks.install()
    except Exception as e:  # never disturb the application
        _sys.stderr.write("qprof: Python hooks not installed: %s\n" % e)


def _qprof_chain():
    import importlib.machinery
    import importlib.util
    here = _os.path.dirname(_os.path.abspath(__file__))
    rest = [p for p in _sys.path
            if _os.path.abspath(p or _os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    mod = importlib.util.module_from_spec(spec)
    _sys.modules["sitecustomize"] = mod
    spec.loader.exec_module(mod)


_qprof_install()
_qprof_chain()
