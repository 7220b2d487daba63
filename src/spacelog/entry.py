"""The console-script entry point: make the process's streams and arguments sound, then run the CLI.

It runs before Typer is imported (about 50 ms), so a Ctrl-C during start-up ends
with status 130 and no traceback, as a Ctrl-C during a command does.
"""

import gc
import io
import os
import signal
import sys

EXIT_INTERRUPTED = 130  # as errors.EXIT_INTERRUPTED and EXIT_ERROR: importing them would import the package's errors module first
EXIT_ERROR = 2


def _exit_interrupted(signum: int, frame: object) -> None:
    os._exit(EXIT_INTERRUPTED)  # while starting or finishing: nothing half-done to clean up


signal.signal(signal.SIGINT, _exit_interrupted)


def run() -> None:
    # One short process, whose cycles are the 600-2,500 objects its imports make, whatever the
    # store's size (measured for the commands on stores of 73 to 1M events): collections only walked
    # the rows it lists, again and again (3-4% of a broad search or an agency listing at 1M events).
    gc.disable()
    status: object = 0
    try:
        try:
            prepare()
            from .cli import run as run_cli

            signal.signal(signal.SIGINT, signal.default_int_handler)  # commands see KeyboardInterrupt and clean up
            run_cli()
        finally:
            # First of all: from here on a Ctrl-C ends the process at once (a KeyboardInterrupt
            # raised inside an except clause below would escape it as a traceback).
            signal.signal(signal.SIGINT, _exit_interrupted)
    except SystemExit as exit:
        status = exit.code
        if status == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":  # Click's sign of a closed pipe
            status = 0
    except KeyboardInterrupt:
        status = EXIT_INTERRUPTED
    except OSError as err:  # help, --version, completion: written by Click, outside every command's own handling
        status = unwritable(err)
    finish()
    end(status)


def unwritable(err: OSError) -> int:
    """The status for output that could not be written: 0 for a reader that went away (like ripgrep), else 2 and one sentence."""
    if isinstance(err, BrokenPipeError):
        return 0
    try:
        sys.stderr.write(f"spacelog: cannot write the output ({err.strerror or err})\n")
    except (OSError, ValueError):
        pass
    return EXIT_ERROR


def end(status: object) -> None:
    """Exit now, without tearing down the interpreter's modules.

    The teardown of Typer's and Click's modules cost 13 ms of CPU, a fifth of a
    query on the shipped store. Every file spacelog writes is closed (and
    renamed into place) before the command returns, and the streams are
    flushed by finish(), so nothing is left for the teardown to do. A thread
    still running, or a status that is not a number, takes Python's own exit.
    """
    threading = sys.modules.get("threading")
    if (status is None or isinstance(status, int)) and (threading is None or threading.active_count() == 1):
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os._exit(status or 0)
    raise SystemExit(status)


def prepare() -> None:
    """Standard streams that exist, output in UTF-8 whatever the locale says, and arguments as typed."""
    for fd, mode in ((0, os.O_RDONLY), (1, os.O_RDONLY), (2, os.O_WRONLY)):
        # A closed descriptor is taken by /dev/null, as git does, so that no file opened later
        # becomes "stdout". Read-only on 1: writing the output fails and says so (exit 2);
        # writable on 2: warnings vanish, and nothing else changes.
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, mode)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdin is None:
        sys.stdin = open(0, encoding="utf-8", closefd=False)
    if sys.stdout is None:
        sys.stdout = open(1, "w", encoding="utf-8", errors="surrogateescape", closefd=False)
    if sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    # Chinese text is written as UTF-8 under any locale or PYTHONIOENCODING, as git and ripgrep do.
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8", errors=errors)
    sys.argv[1:] = [as_typed(arg) for arg in sys.argv[1:]]


def as_typed(arg: str) -> str:
    """An argument read as UTF-8 when its bytes are UTF-8, else as the locale says.

    Python decodes arguments with the locale's encoding; under ISO-8859-1 the UTF-8
    bytes of 空间站 would become 'ç©ºé—´ç«\x99' and match nothing. Text in a
    legacy 8-bit encoding is almost never valid UTF-8, so it keeps the locale's reading.
    """
    if arg.isascii() or sys.getfilesystemencoding().lower().replace("-", "") == "utf8":
        return arg
    try:
        return os.fsencode(arg).decode("utf-8")
    except UnicodeError:
        return arg


def finish() -> None:
    """Flush the output now, so that a reader that went away costs no message at exit."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        except OSError:
            pass


if __name__ == "__main__":
    run()
