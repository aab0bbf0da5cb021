"""Fault injection: which of Baken's calls fail and how (refused, answer lost, crash), on its ports in memory and
on its botocore clients on moto, counted by phase, call and kind."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar, cast

FAULT_RATE = 0.10
REFUSED, ANSWER_LOST, CRASH = "refused", "answer_lost", "crash"
FAULT_MIX = {REFUSED: 0.7, ANSWER_LOST: 0.2, CRASH: 0.1}  # shares of the failing calls

# the phases of a run: calls fail only in SOAK
SOAK, SETUP, DRAIN, BENCH = "soak", "setup", "drain", "bench"

T = TypeVar("T")


class Crash(BaseException):
    """The process died right after a call took effect: nothing after it runs, no ``except Exception`` sees it."""


class InjectedFaultError(Exception):
    """A storage or queue call refused, or its answer lost: what a throttled or timed-out AWS call raises."""


class CrashedInvocationError(Exception):
    """What the event source mapping sees of an invocation whose process died: a function error."""


class Faults:
    """Decides, call by call, whether it fails and how (seeded), and counts calls and faults per phase.

    Calls fail only in the ``soak`` phase; in ``setup``, ``drain`` and ``bench`` (the benchmark reading state)
    they are only counted."""

    def __init__(self, rate: float, mix: Mapping[str, float], seed: int) -> None:
        self.rate = rate
        self._kinds = tuple(mix)
        self._weights = tuple(mix.values())
        self._rng = random.Random(seed)
        self.phase = SETUP
        self.calls: dict[str, Counter[str]] = defaultdict(Counter)  # phase → "service:call" → calls
        self.injected: Counter[str] = Counter()  # kind → faults
        self.by_call: dict[str, Counter[str]] = defaultdict(Counter)  # "service:call" → kind → faults
        self.by_reference: dict[str, list[str]] = defaultdict(list)  # e-mail reference → faults on its sends

    @contextmanager
    def in_phase(self, phase: str) -> Iterator[None]:
        previous, self.phase = self.phase, phase
        try:
            yield
        finally:
            self.phase = previous

    def draw(self, target: str, reference: str | None = None) -> str | None:
        """Count one call; the kind of fault it meets, or None."""
        self.calls[self.phase][target] += 1
        if self.phase != SOAK or self._rng.random() >= self.rate:
            return None
        kind = self._rng.choices(self._kinds, self._weights)[0]
        self.injected[kind] += 1
        self.by_call[target][kind] += 1
        if reference is not None:
            self.by_reference[reference].append(kind)
        return kind

    def call(self, target: str, function: Callable[..., T], args: Sequence[Any], kwargs: Mapping[str, Any], **how: Any) -> T:
        kind = self.draw(target, how.get("reference"))
        error: Callable[[str], Exception] = how["error"]
        # named as botocore names them: the e-mail adapter tells a refusal from a lost answer by the name
        if kind == REFUSED:
            raise error("ThrottlingException")
        result = function(*args, **kwargs)
        if kind == ANSWER_LOST:
            raise error("ReadTimeoutError")
        if kind == CRASH:
            raise Crash(target)
        return result

    def report(self) -> dict[str, Any]:
        soak_calls = self.calls.get(SOAK, Counter())
        total = sum(soak_calls.values())
        crashes = {t: k[CRASH] for t, k in self.by_call.items() if k[CRASH]}
        return {
            "rate": self.rate,
            "mix": dict(zip(self._kinds, self._weights, strict=True)),
            "calls_under_faults": total,
            "calls_under_faults_by_service": _by_service(soak_calls),
            "calls_while_draining": sum(self.calls.get(DRAIN, Counter()).values()),
            "faults_injected": sum(self.injected.values()),
            "fault_share": round(sum(self.injected.values()) / total, 4) if total else None,
            "faults_by_kind": dict(sorted(self.injected.items())),
            "faults_by_service": {
                service: dict(sorted(kinds.items())) for service, kinds in sorted(_kinds_by_service(self.by_call).items())
            },
            "faults_by_call": {t: dict(sorted(k.items())) for t, k in sorted(self.by_call.items())},
            "crashes_injected": self.injected[CRASH],
            "crashes_by_point": dict(sorted(crashes.items(), key=lambda item: -item[1])),
        }


def _by_service(calls: Counter[str]) -> dict[str, int]:
    services: Counter[str] = Counter()
    for target, n in calls.items():
        services[target.split(":", 1)[0]] += n
    return dict(sorted(services.items()))


def _kinds_by_service(by_call: Mapping[str, Counter[str]]) -> dict[str, Counter[str]]:
    services: dict[str, Counter[str]] = defaultdict(Counter)
    for target, kinds in by_call.items():
        services[target.split(":", 1)[0]].update(kinds)
    return services


class FaultyPort:
    """Stands in for a port and lets each call fail as ``faults`` decides. A call that would make no request
    in the real adapter (an empty batch) is passed through, neither counted nor failed."""

    def __init__(self, inner: Any, target: str, faults: Faults, **how: Any) -> None:
        self._inner = inner
        self._target = target
        self._faults = faults
        self._how = how

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name.startswith("_") or not callable(attribute):
            return attribute
        target = f"{self._target}.{name}"
        reference: Callable[[Mapping[str, Any]], str] | None = self._how.get("reference")

        def call(*args: Any, **kwargs: Any) -> Any:
            if args and all(_empty(a) for a in args):
                return attribute(*args, **kwargs)
            how = {"error": self._how.get("error", InjectedFaultError)}
            if reference is not None:
                how["reference"] = reference(kwargs)
            return self._faults.call(target, attribute, args, kwargs, **how)

        return call


def _empty(value: Any) -> bool:
    return isinstance(value, Collection) and not isinstance(value, str) and not value


def faulty(inner: T, target: str, faults: Faults, **how: Any) -> T:
    """``inner`` behind a FaultyPort, typed as ``inner`` for the constructors that take it."""
    return cast(T, FaultyPort(inner, target, faults, **how))


class BotocoreFaults:
    """The same faults for real botocore clients: a ``before-call`` hook refuses a call (a throttling error;
    nothing happens), an ``after-call`` hook loses the answer of a call that took effect (a read timeout) or
    crashes the process after it."""

    ERRORS: ClassVar[dict[str, tuple[str, int]]] = {
        "dynamodb": ("ThrottlingException", 400),
        "sqs": ("RequestThrottled", 403),
        "sesv2": ("TooManyRequestsException", 429),
    }

    def __init__(self, faults: Faults) -> None:
        self._faults = faults

    def install(self, events: Any, service: str) -> None:
        """Hook every call of ``service`` made through ``events`` (a client's ``meta.events`` or a botocore
        session, before it creates the client)."""
        events.register(f"before-parameter-build.{service}", self._remember_reference)
        events.register(f"before-call.{service}", self._before_call)
        events.register(f"after-call.{service}", self._after_call)

    @staticmethod
    def _remember_reference(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        for tag in params.get("EmailTags") or ():
            if tag.get("Name") == "notification":
                context["soak_reference"] = tag.get("Value")

    def _before_call(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        from botocore.exceptions import ClientError

        service = str(model.service_model.service_name)
        target = f"{service}:{model.name}"
        kind = self._faults.draw(target, context.get("soak_reference"))
        context["soak_fault"] = (kind, target)
        if kind == REFUSED:
            code, status = self.ERRORS[service]
            raise ClientError(
                {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}}, model.name
            )

    @staticmethod
    def _after_call(context: dict[str, Any], **_: Any) -> None:
        from botocore.exceptions import ReadTimeoutError

        kind, target = context.get("soak_fault", (None, ""))
        if kind == ANSWER_LOST:
            raise ReadTimeoutError(endpoint_url=f"https://{target}.injected")
        if kind == CRASH:
            raise Crash(target)
