"""qprof's Python hooks (docs/SHIM.md "Python").

install() puts a finder first on sys.meta_path.  It does nothing until the
program imports qaicrt (the runtime's Python module); then, once the module
is loaded, it replaces the methods Python LLM sessions call on qaicrt's
classes with recording wrappers (_qprof_py.wrap): each wrapper calls the
original with the same arguments and returns its result, or lets its
exception through, unchanged; the call is recorded as a py_* event of the
`qprof` LTTng-UST provider (docs/EVENTS.md "Python boundary").

A program that never imports qaicrt never loads _qprof_py or LTTng-UST.
"""
import sys

# (class, attribute, kind): what is wrapped.
WRAPPED = (
    ("Context", "__init__", "context_init"),
    ("Qpc", "__init__", "qpc_init"),
    ("Program", "__init__", "program_init"),
    ("Program", "load", "program_load"),
    ("Program", "unload", "program_unload"),
    ("Program", "activate", "program_activate"),
    ("Program", "deactivate", "program_deactivate"),
    ("Queue", "__init__", "queue_init"),
    ("Queue", "enqueue", "enqueue"),
    ("ExecObj", "__init__", "execobj_init"),
    ("ExecObj", "setData", "set_data"),
    ("ExecObj", "getData", "get_data"),
    ("ExecObj", "run", "run"),
    ("ExecObj", "waitForCompletion", "wait"),
)

MODULE = "qaicrt"


def wrap_module(mod):
    """Wraps mod's classes in place; returns the wrapped 'Class.attr' names.
    A class or method the module lacks, or a class that refuses new
    attributes, is left as it is."""
    import _qprof_py
    done = []
    for cls_name, attr, kind in WRAPPED:
        cls = getattr(mod, cls_name, None)
        orig = getattr(cls, "__dict__", {}).get(attr) if cls is not None else None
        if orig is None or getattr(orig, "__wrapped__", None) is not None:
            continue
        try:
            setattr(cls, attr, _qprof_py.wrap(kind, orig))
        except (TypeError, AttributeError):
            continue
        done.append(cls_name + "." + attr)
    return done


class _Loader:
    """The real loader of qaicrt, then the wrapping."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        try:
            module.__qprof_wrapped__ = wrap_module(module)
        except Exception as e:  # never disturb the application
            sys.stderr.write("qprof: Python hooks not installed: %s\n" % e)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _Finder:
    """First on sys.meta_path: finds qaicrt with the finders after it."""

    def find_spec(self, name, path=None, target=None):
        if name != MODULE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None

    def invalidate_caches(self):
        pass


def install():
    """Idempotent; qaicrt already imported: wrapped at once."""
    if any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    mod = sys.modules.get(MODULE)
    if mod is not None:
        mod.__qprof_wrapped__ = wrap_module(mod)
    sys.meta_path.insert(0, _Finder())
