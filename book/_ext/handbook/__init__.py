"""The handbook's own Sphinx extensions; part of the book, not of the ``mlorg`` toolkit.

``book/conf.py`` puts ``book/_ext`` on ``sys.path`` and loads them by name:

- ``handbook.execution``: a notebook that fails to execute fails the build;
- ``handbook.freshness``: chapters declare owner, last review and status;
- ``handbook.colab``: the Colab button opens the notebooks published as ``.ipynb``.

The build scripts that only the noxfile runs (versions side by side, the
Colab export, the Jupyter Book 1.x configuration) are in ``tools/``.
"""
