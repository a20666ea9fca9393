"""The browser lab: ``svmsim lab NAME --web`` (``app``: the Starlette application; the page
is ``static/``)."""
