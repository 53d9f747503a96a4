"""theano.compile.debugmode: DebugMode re-runs every node and checks it (Theon's 'DebugMode')."""

from theon.compile import Mode


class DebugMode(Mode):
    """Theano's DebugMode: every node run again through its reference kernel and compared.
    Theano's tuning options (check_py_code, check_isfinite, ...) are accepted."""

    def __init__(self, optimizer=None, **theano_options):
        super().__init__("DebugMode")
