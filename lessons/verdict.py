"""What a lesson's compute function says about a measurement: a catalog key and the
numbers the sentence quotes. The UI words it in the student's language (`ui.say`);
tests check keys and numbers, never sentences."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    key: str
    values: tuple = ()  # (name, value) pairs, so a Verdict is hashable and picklable

    def __getitem__(self, name: str):
        return dict(self.values)[name]


def verdict(key: str, **values) -> Verdict:
    """`verdict("vae.coverage.high", cov=0.99)`; Babel extracts the key from this call."""
    return Verdict(key, tuple(sorted(values.items())))
