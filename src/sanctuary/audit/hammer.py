"""Load generator for the decision log: threads appending at once, printing each acknowledgement.

    python -m sanctuary.audit.hammer --log URL --threads 32 --count 1000 --tag p1

Every entry is `hammer <tag> <thread> <n>` padded to `--bytes`; after `append` returns, the line
`<index> <tag> <thread> <n>` is printed and flushed, so a crash test knows exactly which entries
were acknowledged before it killed the process.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

from sanctuary.audit.log import DecisionLog, open_log


def payload(tag: str, thread: int, n: int, size: int) -> bytes:
    return f"hammer {tag} {thread} {n} ".encode().ljust(size, b".")


def run(log: DecisionLog, threads: int, count: int, tag: str, size: int, echo: bool) -> float:
    """Each thread appends `count` entries (0 = until killed). Returns elapsed seconds."""
    out = threading.Lock()

    def work(t: int) -> None:
        n = 0
        while count == 0 or n < count:
            index = log.append(payload(tag, t, n, size))
            if echo:
                with out:
                    sys.stdout.write(f"{index} {tag} {t} {n}\n")
                    sys.stdout.flush()
            n += 1

    workers = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--count", type=int, default=0, help="entries per thread; 0 runs until killed")
    parser.add_argument("--tag", default="p")
    parser.add_argument("--bytes", type=int, default=300)
    parser.add_argument("--quiet", action="store_true", help="do not print acknowledgements")
    args = parser.parse_args()
    log = open_log(args.log)
    elapsed = run(log, args.threads, args.count, args.tag, args.bytes, not args.quiet)
    log.close()
    if args.quiet:
        print(f"{args.threads * args.count / elapsed:.0f} appends/s")


if __name__ == "__main__":
    main()
