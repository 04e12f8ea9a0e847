"""RQ entry points: thin functions taking ids; the work is done by ``handlers``."""
