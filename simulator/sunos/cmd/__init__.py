"""The SunOS programs (one module each: ``NAME``, ``main(inv)``, optional ``usage(inv)``)."""
