import io
import time

from reservoir.common.progress import Progress, _count


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _draws(stream):
    with Progress(3, "job", stream=stream, unit="") as bar:
        for _ in range(3):
            time.sleep(0.25)  # longer than a terminal's redraw interval
            bar.update()
    return stream.getvalue()


def test_a_terminal_is_redrawn_as_work_goes_and_a_log_only_at_the_end():
    terminal, log = _draws(_Terminal()), _draws(io.StringIO())
    assert terminal.count("\r") == 3 and "100.0% 3/3" in terminal and terminal.endswith("s\n")
    assert log.count("\r") == 1 and "100.0% 3/3" in log and log.endswith("\n")


def test_counts_read_as_numbers_not_exponents():
    assert [_count(n) for n in (0, 7, 5410, 15_200, 200_000, 999_999, 3_500_000, 1.2e9)] == \
        ["0", "7", "5410", "15.2k", "200k", "1000k", "3.5M", "1.2G"]
