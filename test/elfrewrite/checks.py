# SPDX-License-Identifier: GPL-3.0-or-later
# The tally the elfrewrite test scripts keep: each check counts, a failed one
# is remembered (and printed at once with echo), and the summary line says
# how many passed.


class Checks:
    def __init__(self, echo=True):
        self.count = 0
        self.failures = []
        self.echo = echo

    def __call__(self, cond, what):
        self.count += 1
        if not cond:
            self.failures.append(what)
            if self.echo:
                print("FAIL " + what)
        return cond

    def summary(self, name):
        """Prints 'NAME: P of N checks passed'; returns the exit status."""
        print(f"{name}: {self.count - len(self.failures)} of {self.count} checks passed")
        return 1 if self.failures else 0
