"""What the PyTorch reference benchmarks share: the OpenMP wait policy (imported before torch),
the thread count, the median-of-N timer and the load average printed beside each table."""
import os
import statistics
import time

# OpenMP threads that spin at barriers get descheduled on a shared 2-core machine and every
# parallel region then waits a scheduler tick (timings quantised at 4 ms, 3-9x too slow);
# passive waiting is what rayon (burn's pool) does too. Must be set before torch loads, so the
# scripts import this module first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

THREADS = 2


def set_threads(torch):
    """Run torch on THREADS threads (the THREADS environment variable overrides it)."""
    torch.set_num_threads(int(os.environ.get("THREADS", THREADS)))


def median_ms(f, reps, warmup=1):
    """Median wall time of `reps` calls of `f`, in ms, after `warmup` untimed calls."""
    for _ in range(warmup):
        f()
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        f()
        t.append((time.perf_counter() - s) * 1e3)
    return statistics.median(t)


def load():
    """The 1-, 5- and 15-minute load averages."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])
