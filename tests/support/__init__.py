"""What the tests share (``tests/`` is on ``sys.path``, see pyproject.toml).

* ``support.labs`` is a pytest plugin, registered in ``tests/conftest.py``: its fixtures
  (``fast_passwords``, ``template_home``, ``home``, ``lab``, ``sub``, ``approved``) are
  used by name, never imported.  A test folder that needs another lab overrides
  ``template_home`` and keeps the rest.  Its helpers are imported as usual.
* ``support.homes``: the four users of every test lab, ``create_lab``, ``copy_home``.
* ``support.files``: small valid documents (a PDF, a PNG).
* ``support.reliability``: the busy template lab of ``tests/reliability`` and what its
  tests and worker processes share.

Only ``support.labs`` imports pytest: the others are imported by worker processes too.
"""
