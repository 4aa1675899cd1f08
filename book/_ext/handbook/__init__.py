"""The handbook's own Sphinx extensions; part of the book, not of the ``mlorg`` toolkit.

``book/conf.py`` puts ``book/_ext`` on ``sys.path`` and loads them by name:

- ``handbook.execution``: a notebook that fails to execute fails the build;
- ``handbook.freshness``: chapters declare owner, last review and status;
- ``handbook.colab``: the Colab button opens the notebooks published as ``.ipynb``;
- ``handbook.search``: Pagefind indexes only the article body, glossary terms weigh most;
- ``handbook.descriptions``: page descriptions skip the owner / review / status line;
- ``handbook.editions``: the PDF and EPUB editions (the EPUB's cover carries the version).

The build scripts that only the noxfile runs (versions side by side, the
Colab export, the Jupyter Book 1.x configuration) are in ``tools/``.
"""
