"""For users' own tests: the pytest plugin (``svm_host``) and Hypothesis strategies."""
