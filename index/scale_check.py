"""How FAISS index types scale: flat against HNSW and IVF on synthetic sentence-like vectors.

    python -m index.scale_check --vectors 1000000          # the 1M figures in the README
    python -m index.scale_check --vectors 100000 --kinds flat,hnsw

For each type it reports build (train + add) time, size on disk, memory, median and p95
milliseconds per single-query search (one query at a time, as the app searches) and
recall@1 / recall@10 against exact (flat) search, for each search-time setting swept.
`--flat-sizes` times flat search alone at several sizes, to place the threshold where
the app leaves flat search. Progress goes to stderr as plain lines (runs under nohup);
the results go to stdout as JSON and, with --out, to a file.

The vectors are not uniform random (on which every approximate index looks bad and no
real corpus looks like): a mixture of Gaussian clusters whose spread falls off by
dimension like real sentence-embedding spectra, normalised, in 384 dimensions.
Queries are held-out vectors of the same mixture, slightly perturbed.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from index import vectors as dense

_START = time.time()


def log(message: str) -> None:
    print(f"[{time.time() - _START:7.1f}s] {message}", file=sys.stderr, flush=True)


def sentence_like(n: int, dim: int, *, seed: int, clusters: int = 5000,
                  block: int = 100_000) -> np.ndarray:
    """n unit vectors from a mixture of Gaussian clusters with a decaying spectrum.

    Dimension j of both the cluster centres and the spread within a cluster scales
    with (j+1)^-0.45, so a few directions carry most of the variance: the participation
    ratio of the spectrum (~49) is near that of real MiniLM unit vectors (~54, home
    corpus), and the gap between the best and second-best neighbour's cosine is as
    small (~0.025). 5,000 clusters (200 vectors each at 1M) stand for topics.
    Deterministic in (n, dim, seed) and block by block, so a larger set begins with a
    smaller one."""
    rng = np.random.default_rng(seed)
    scale = (np.arange(dim, dtype=np.float32) + 1) ** -0.45
    centres = rng.standard_normal((clusters, dim), dtype=np.float32) * scale
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, block):
        stop = min(n, start + block)
        part = np.random.default_rng([seed, start])
        which = part.integers(0, clusters, stop - start)
        spread = part.standard_normal((stop - start, dim), dtype=np.float32) * scale
        out[start:stop] = centres[which] + 0.6 * spread
    faiss.normalize_L2(out)
    return out


def perturbed(vectors: np.ndarray, *, seed: int, noise: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = vectors + noise * rng.standard_normal(vectors.shape, dtype=np.float32) \
        / np.sqrt(vectors.shape[1])
    out = np.ascontiguousarray(out, dtype=np.float32)
    faiss.normalize_L2(out)
    return out


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def single_query_ms(index: faiss.Index, queries: np.ndarray, k: int) -> tuple:
    """Per-query latencies (ms) and the ids found, searching one query at a time."""
    times, found = [], []
    for q in queries:
        t0 = time.perf_counter()
        _, ids = index.search(q.reshape(1, -1), k)
        times.append((time.perf_counter() - t0) * 1000)
        found.append(ids[0])
    return np.array(times), np.array(found)


def recall(found: np.ndarray, truth: np.ndarray, k: int) -> float:
    if k == 1:
        return float(np.mean(found[:, 0] == truth[:, 0]))
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))


def built(name: str, make, base: np.ndarray, cache: Path | None) -> tuple:
    """The index, its build time, its size on disk and the memory it took; with a
    cache folder, built once and read back on later runs (build figures kept)."""
    key = f"{name.split()[0]}-{len(base)}-{base[0, :4].tobytes().hex()}"
    if cache and (cache / f"{key}.json").is_file():
        figures = json.loads((cache / f"{key}.json").read_text())
        before = rss_mb()
        index = faiss.read_index(str(cache / f"{key}.faiss"))
        log(f"{name}: read from {cache}; built earlier {figures}")
        return index, figures["build_s"], figures["disk_mb"], rss_mb() - before
    before = rss_mb()
    t0 = time.perf_counter()
    index = make(base)
    build_s = time.perf_counter() - t0
    memory = rss_mb() - before
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        path = Path(tmp) / "x.faiss"
        faiss.write_index(index, str(path))
        disk = path.stat().st_size / 1e6
        if cache:
            path.rename(cache / f"{key}.faiss")
            (cache / f"{key}.json").write_text(json.dumps(
                {"build_s": round(build_s, 1), "disk_mb": round(disk, 1)}))
    return index, build_s, disk, memory


def measure(name: str, make, base: np.ndarray, queries: np.ndarray, truth: np.ndarray,
            settings: list[tuple[str, object]], threads: list[int],
            cache: Path | None = None, build_only: bool = False) -> dict:
    """Build one index type, save it, and time single-query searches per setting."""
    faiss.omp_set_num_threads(max(threads))
    index, build_s, disk, memory = built(name, make, base, cache)
    log(f"{name}: built in {build_s:.1f}s, {disk:.0f} MB on disk, +{memory:.0f} MB RSS")
    if build_only:
        settings = []
    rows = []
    for label, apply in settings:
        apply(index)
        for t in threads:
            faiss.omp_set_num_threads(t)
            ms, found = single_query_ms(index, queries, 10)
            row = {"setting": label, "omp_threads": t,
                   "median_ms": round(float(np.median(ms)), 3),
                   "p95_ms": round(float(np.percentile(ms, 95)), 3),
                   "recall@1": round(recall(found, truth, 1), 4),
                   "recall@10": round(recall(found, truth, 10), 4)}
            rows.append(row)
            log(f"{name} {label} threads={t}: {row}")
    del index
    return {"type": name, "vectors": len(base), "build_s": round(build_s, 1),
            "disk_mb": round(disk, 1), "rss_growth_mb": round(memory, 1), "search": rows}


def ivf(vectors: np.ndarray) -> faiss.Index:
    """IVF-Flat measured against HNSW: ~4 sqrt(n) lists, trained on 50 vectors a list."""
    dim = vectors.shape[1]
    nlist = 1 << int(round(np.log2(4 * np.sqrt(len(vectors)))))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist,
                               faiss.METRIC_INNER_PRODUCT)
    index.cp.niter, index.cp.spherical = 10, True
    pick = np.random.default_rng(0).permutation(len(vectors))[:50 * nlist]
    index.train(vectors[np.sort(pick)])
    index.add(vectors)
    return index


def _set_ef(values):
    def make(ef):
        def apply(index):
            index.hnsw.efSearch = ef
        return f"efSearch={ef}", apply
    return [make(v) for v in values]


def _set_nprobe(values):
    def make(p):
        def apply(index):
            index.nprobe = p
        return f"nprobe={p}", apply
    return [make(v) for v in values]


def flat_sizes(base: np.ndarray, queries: np.ndarray, sizes: list[int]) -> list[dict]:
    """Single-query flat search time by corpus size, one OpenMP thread and all."""
    rows = []
    for n in sizes:
        if n > len(base):
            continue
        index = dense.build(base[:n], {"type": "flat"})
        for t in sorted({1, faiss.omp_get_max_threads()}):
            faiss.omp_set_num_threads(t)
            ms, _ = single_query_ms(index, queries[:200], 10)
            rows.append({"vectors": n, "omp_threads": t,
                         "median_ms": round(float(np.median(ms)), 3),
                         "p95_ms": round(float(np.percentile(ms, 95)), 3)})
            log(f"flat {n}: {rows[-1]}")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m index.scale_check", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vectors", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--kinds", default="flat,hnsw,ivf")
    ap.add_argument("--ef", default="16,32,64,128,256", help="HNSW efSearch values")
    ap.add_argument("--nprobe", default="8,16,32,64,128", help="IVF nprobe values")
    ap.add_argument("--flat-sizes", default="", help="e.g. 10000,30000,100000,300000")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--clusters", type=int, default=5000,
                    help="Gaussian clusters in the mixture (fewer vectors each: harder)")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--cache", type=Path, help="keep built HNSW/IVF indexes here and "
                    "read them back on the next run (build figures kept)")
    ap.add_argument("--build-only", action="store_true",
                    help="build (into --cache) without timing searches")
    args = ap.parse_args(argv)
    if args.vectors < 1000 or args.queries < 10:
        ap.error("use at least 1000 vectors and 10 queries")
    threads = sorted({1, faiss.omp_get_max_threads()})
    log(f"generating {args.vectors} + {args.queries} vectors of {args.dim} dims")
    data = sentence_like(args.vectors + args.queries, args.dim, seed=args.seed,
                         clusters=args.clusters)
    base, held_out = data[:args.vectors], data[args.vectors:]
    queries = perturbed(held_out, seed=args.seed + 1)
    faiss.omp_set_num_threads(max(threads))
    t0 = time.perf_counter()
    truth_scores, truth = faiss.knn(queries[:10 if args.build_only else None], base, 10,
                                    metric=faiss.METRIC_INNER_PRODUCT)
    log(f"exact neighbours in {time.perf_counter() - t0:.1f}s; top-1 cosine median "
        f"{np.median(truth_scores[:, 0]):.3f}, top-1 minus top-2 median "
        f"{np.median(truth_scores[:, 0] - truth_scores[:, 1]):.4f}")
    report = {"vectors": args.vectors, "queries": args.queries, "dim": args.dim,
              "clusters": args.clusters,
              "cpu_threads": faiss.omp_get_max_threads(), "faiss": faiss.__version__,
              "top1_cosine_median": round(float(np.median(truth_scores[:, 0])), 4),
              "top1_top2_gap_median": round(float(np.median(
                  truth_scores[:, 0] - truth_scores[:, 1])), 4),
              "results": []}
    kinds = [k for k in args.kinds.split(",") if k and not (args.build_only and k == "flat")]
    ints = lambda s: [int(v) for v in s.split(",") if v]  # noqa: E731
    flat_q = queries[:min(len(queries), 200)]  # flat at 1M is slow: fewer timed queries
    for kind in kinds:
        if kind == "flat":
            spec = {"type": "flat"}
            report["results"].append(measure(
                "flat", lambda b: dense.build(b, spec), base, flat_q, truth[:len(flat_q)],
                [("exact", lambda index: None)], threads))
        elif kind == "hnsw":
            spec = {"type": "hnsw", **dense.HNSW}
            log(f"building HNSW {spec}")
            report["results"].append(measure(
                f"hnsw M={spec['M']} efConstruction={spec['ef_construction']}",
                lambda b: dense.build(b, spec), base, queries, truth,
                _set_ef(ints(args.ef)), threads, args.cache, args.build_only))
        elif kind == "ivf":
            log("building IVF")
            report["results"].append(measure(
                "ivf-flat", ivf, base, queries, truth, _set_nprobe(ints(args.nprobe)),
                threads, args.cache, args.build_only))
        else:
            ap.error(f"unknown kind {kind!r}; use flat, hnsw, ivf")
        if args.out:
            args.out.write_text(json.dumps(report, indent=1))
    if args.flat_sizes and not args.build_only:
        report["flat_by_size"] = flat_sizes(base, queries, ints(args.flat_sizes))
    text = json.dumps(report, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
