"""Discovery of skadapt's public estimators, for the common tests and the docs."""

import inspect
import pkgutil
from importlib import import_module
from operator import itemgetter

from sklearn.base import BaseEstimator

__all__ = ["all_estimators"]


def all_estimators():
    """List every public, concrete estimator class of skadapt.

    The package is walked module by module; a class counts when it is a
    scikit-learn ``BaseEstimator``, is not abstract, does not start with an
    underscore or ``Base``, and is defined inside skadapt.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs sorted by name.

    Examples
    --------
    >>> from skadapt.utils.discovery import all_estimators
    >>> names = [name for name, _ in all_estimators()]
    >>> "LabeledOnly" in names
    True
    """
    import skadapt

    found = {}
    modules = [skadapt.__name__]
    modules += [
        info.name
        for info in pkgutil.walk_packages(skadapt.__path__, prefix="skadapt.")
        if ".tests" not in info.name
    ]
    for module_name in modules:
        module = import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and cls.__module__.startswith("skadapt")
                and not name.startswith(("_", "Base"))
                and not inspect.isabstract(cls)
            ):
                found[name] = cls
    return sorted(found.items(), key=itemgetter(0))
