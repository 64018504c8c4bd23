/* The compiled simulation core: the event loop of meshwright's simulator for plain request
 * networks (FIFO replicas with round-robin balancing, sequential calls, intrinsic
 * failures), with array state and its own seeded generator (xoshiro256++).
 *
 * Python side: meshwright/simulate/compiled.py flattens the model into flat tables
 * (operations, call targets, stations) and reads back the per-bucket counters. Same
 * semantics as the Python engine (meshwright/simulate/engine.py) for the models
 * compiled.unsupported() accepts. The GIL is released while the loop runs; a progress
 * callable, if given, is called with the simulated time every `every` events.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ random numbers */

typedef struct { uint64_t s[4]; int has_spare; double spare; } rng_t;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0.0;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng_t *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[0] + s[3], 23) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* uniform on [0, 1) */
static inline double rng_uniform(rng_t *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* standard exponential (mean 1): inversion, 1 - u in (0, 1] */
static inline double rng_exp(rng_t *r) { return -log(1.0 - rng_uniform(r)); }

/* standard normal: Marsaglia's polar method, the second value kept for the next call */
static inline double rng_normal(rng_t *r) {
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * rng_uniform(r) - 1.0;
        v = 2.0 * rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double m = sqrt(-2.0 * log(s) / s);
    r->spare = v * m;
    r->has_spare = 1;
    return u * m;
}

/* ------------------------------------------------------------------ growable arrays */

static int grow(void **p, int64_t *cap, int64_t need, size_t item) {
    if (need <= *cap) return 0;
    int64_t c = *cap > 0 ? *cap : 16;
    while (c < need) c *= 2;
    void *q = realloc(*p, (size_t)c * item);
    if (q == NULL) return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* ------------------------------------------------------------------ event heap */

enum { EV_ARRIVE = 0, EV_WORKED = 1, EV_SAMPLE = 2 };
enum { A_SUBMIT = 0, A_START, A_NEXT, A_OK, A_FAIL };

typedef struct { double t; int64_t seq; int64_t arg; int64_t kind; } event_t;

typedef struct { event_t *v; int64_t n, cap; int64_t seq; } heap_t;

static inline int ev_less(const event_t *a, const event_t *b) {
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int heap_push(heap_t *h, double t, int64_t kind, int64_t arg) {
    if (grow((void **)&h->v, &h->cap, h->n + 1, sizeof(event_t))) return -1;
    event_t e = {t, h->seq++, arg, kind};
    int64_t i = h->n++;
    while (i > 0) {
        int64_t p = (i - 1) / 2;
        if (!ev_less(&e, &h->v[p])) break;
        h->v[i] = h->v[p];
        i = p;
    }
    h->v[i] = e;
    return 0;
}

static void heap_pop(heap_t *h) {
    event_t last = h->v[--h->n];
    int64_t n = h->n, i = 0;
    for (;;) {
        int64_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && ev_less(&h->v[c + 1], &h->v[c])) c++;
        if (!ev_less(&h->v[c], &last)) break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (n > 0) h->v[i] = last;
}

/* ------------------------------------------------------------------ inputs */

typedef struct {
    Py_buffer b;
    int held;
} buf_t;

enum {
    I_EP_OP, I_EP_RATE, I_OP_STATION, I_OP_KIND, I_OP_A, I_OP_B, I_OP_FAIL, I_OP_FIRST,
    I_OP_LAST, I_CALL_TARGET, I_ST_CONC, I_ST_NREP,
    O_ST_ARR, O_ST_OK, O_ST_ERR, O_ST_WSUM, O_ST_WN, O_EP_ARR, O_EP_OK, O_EP_ERR,
    O_SNAP_BUSY, O_SNAP_QUEUE, O_SNAP_CAP, N_BUFS
};

static const char *const BUF_NAMES[N_BUFS] = {
    "ep_op", "ep_rate", "op_station", "op_kind", "op_a", "op_b", "op_fail", "op_first",
    "op_last", "call_target", "st_conc", "st_nrep",
    "st_arr", "st_ok", "st_err", "st_wsum", "st_wn", "ep_arr", "ep_ok", "ep_err",
    "snap_busy", "snap_queue", "snap_cap",
};

/* int64 columns: 'q' or 'l' (8 bytes); the others float64 */
static int is_int_buf(int i) {
    return i == I_EP_OP || i == I_OP_STATION || i == I_OP_KIND || i == I_OP_FIRST ||
           i == I_OP_LAST || i == I_CALL_TARGET || i == I_ST_CONC || i == I_ST_NREP;
}

typedef struct {
    /* latencies: (group, bucket, value) of every kept sample */
    int64_t *who, *bk;
    double *val;
    int64_t n, cap;
} lat_out_t;

typedef struct {
    int64_t *op, *parent, *ep, *step, *failed, *rep, *next;
    double *arr;
    int64_t *free;
    int64_t nfree, cap;
} jobs_t;

static int jobs_grow(jobs_t *J) {
    int64_t old = J->cap, c = old ? old * 2 : 1024;
#define G(f, T) { void *q = realloc(J->f, (size_t)c * sizeof(T)); if (!q) return -1; J->f = q; }
    G(op, int64_t) G(parent, int64_t) G(ep, int64_t) G(step, int64_t) G(failed, int64_t)
    G(rep, int64_t) G(next, int64_t) G(arr, double) G(free, int64_t)
#undef G
    /* the new slots become free, the lowest index on top */
    for (int64_t k = 0; k < c - old; k++) J->free[J->nfree + k] = c - 1 - k;
    J->nfree += c - old;
    J->cap = c;
    return 0;
}

static int seal_bucket(int64_t bucket, int64_t n_grp, int64_t lat_cap, int64_t *cur_n,
                       const double *cur_v, lat_out_t *L) {
    for (int64_t g = 0; g < n_grp; g++) {
        int64_t m = cur_n[g] < lat_cap ? cur_n[g] : lat_cap;
        if (m > 0) {
            int64_t cap = L->cap;
            if (grow((void **)&L->who, &cap, L->n + m, sizeof(int64_t))) return -1;
            cap = L->cap;
            if (grow((void **)&L->bk, &cap, L->n + m, sizeof(int64_t))) return -1;
            cap = L->cap;
            if (grow((void **)&L->val, &cap, L->n + m, sizeof(double))) return -1;
            L->cap = cap;
            for (int64_t k = 0; k < m; k++) {
                L->who[L->n + k] = g;
                L->bk[L->n + k] = bucket;
                L->val[L->n + k] = cur_v[g * lat_cap + k];
            }
            L->n += m;
        }
        cur_n[g] = 0;
    }
    return 0;
}

/* ------------------------------------------------------------------ the loop */

typedef struct {
    uint64_t seed;
    double duration, width;
    int64_t nb, lat_cap, every;
    PyObject *progress;
    int64_t n_ep, n_op, n_st, n_targets;
    const int64_t *ep_op, *op_station, *op_kind, *op_first, *op_last, *call_target, *st_conc,
        *st_nrep;
    const double *ep_rate, *op_a, *op_b, *op_fail;
    double *st_arr, *st_ok, *st_err, *st_wsum, *st_wn, *ep_arr, *ep_ok, *ep_err, *snap_busy,
        *snap_queue, *snap_cap;
} spec_t;

#define TOUCH(s)                                                            \
    do {                                                                    \
        double dt_ = now - st_last[s];                                      \
        a_busy[s] += dt_ * st_busy[s];                                      \
        a_queue[s] += dt_ * st_queued[s];                                   \
        a_cap[s] += dt_ * (double)(S->st_conc[s] * S->st_nrep[s]);          \
        st_last[s] = now;                                                   \
    } while (0)

#define PUSH_ACT(a, j)                                                                     \
    do {                                                                                   \
        if (grow((void **)&act, &act_cap, sp + 1, sizeof(int64_t))) goto nomem;            \
        if (grow((void **)&act_arg, &arg_cap, sp + 1, sizeof(int64_t))) goto nomem;        \
        act[sp] = (a);                                                                     \
        act_arg[sp] = (j);                                                                 \
        sp++;                                                                              \
    } while (0)

/* returns 0 ok, -1 out of memory, -2 a Python exception from the progress callable */
static int run_loop(const spec_t *S, int64_t *events_out, lat_out_t *L) {
    int rc = 0;
    rng_t rng;
    rng_seed(&rng, S->seed);
    int64_t n_st = S->n_st, n_ep = S->n_ep, nb = S->nb, lat_cap = S->lat_cap;
    int64_t n_rep = 0;
    for (int64_t s = 0; s < n_st; s++) n_rep += S->st_nrep[s];
    int64_t *st_rep0 = calloc((size_t)(n_st + 1), sizeof(int64_t));
    int64_t *rep_busy = calloc((size_t)(n_rep + 1), sizeof(int64_t));
    int64_t *rep_head = malloc((size_t)(n_rep + 1) * sizeof(int64_t));
    int64_t *rep_tail = malloc((size_t)(n_rep + 1) * sizeof(int64_t));
    double *st_busy = calloc((size_t)(n_st + 1), sizeof(double));
    double *st_queued = calloc((size_t)(n_st + 1), sizeof(double));
    double *st_last = calloc((size_t)(n_st + 1), sizeof(double));
    double *a_busy = calloc((size_t)(n_st + 1), sizeof(double));
    double *a_queue = calloc((size_t)(n_st + 1), sizeof(double));
    double *a_cap = calloc((size_t)(n_st + 1), sizeof(double));
    int64_t *st_rr = malloc((size_t)(n_st + 1) * sizeof(int64_t));
    int64_t n_grp = n_st + n_ep;
    double *cur_v = malloc((size_t)(n_grp * lat_cap + 1) * sizeof(double));
    int64_t *cur_n = calloc((size_t)(n_grp + 1), sizeof(int64_t));
    int64_t *act = NULL, *act_arg = NULL, act_cap = 0, arg_cap = 0;
    jobs_t J = {0};
    heap_t H = {0};
    double *ep_gap = NULL;
    int64_t events = 0;
    if (!st_rep0 || !rep_busy || !rep_head || !rep_tail || !st_busy || !st_queued || !st_last ||
        !a_busy || !a_queue || !a_cap || !st_rr || !cur_v || !cur_n || jobs_grow(&J))
        goto nomem;
    for (int64_t s = 1; s < n_st; s++) st_rep0[s] = st_rep0[s - 1] + S->st_nrep[s - 1];
    for (int64_t r = 0; r < n_rep; r++) rep_head[r] = rep_tail[r] = -1;
    for (int64_t s = 0; s < n_st; s++) st_rr[s] = -1;

    for (int64_t e = 0; e < n_ep; e++)
        if (S->ep_rate[e] > 0 && heap_push(&H, rng_exp(&rng) / S->ep_rate[e], EV_ARRIVE, e))
            goto nomem;
    for (int64_t b = 0; b < nb; b++) {
        double t = (double)(b + 1) * S->width;
        if (heap_push(&H, t < S->duration ? t : S->duration, EV_SAMPLE, b)) goto nomem;
    }

    int64_t cur_b = 0, next_report = S->every;
    double now = 0.0;
    /* the current bucket holds [b_lo, b_hi): recompute int(now / width) only outside it */
    double b_lo = 0.0, b_hi = S->width;
    ep_gap = malloc((size_t)(n_ep + 1) * sizeof(double));
    if (ep_gap == NULL) goto nomem;
    for (int64_t e = 0; e < n_ep; e++) ep_gap[e] = S->ep_rate[e] > 0 ? 1.0 / S->ep_rate[e] : 0.0;
    while (H.n > 0) {
        now = H.v[0].t;
        if (now > S->duration) break;
        int64_t kind = H.v[0].kind, arg = H.v[0].arg;
        heap_pop(&H);
        events++;
        int64_t bk = cur_b;
        if (now >= b_hi || now < b_lo) {
            bk = (int64_t)(now / S->width);
            if (bk > nb - 1) bk = nb - 1;
            b_lo = (double)bk * S->width;
            b_hi = bk == nb - 1 ? INFINITY : (double)(bk + 1) * S->width;
        }
        if (bk != cur_b) {
            if (seal_bucket(cur_b, n_grp, lat_cap, cur_n, cur_v, L)) goto nomem;
            cur_b = bk;
        }
        int64_t sp = 0;
        if (kind == EV_ARRIVE) {
            int64_t e = arg;
            S->ep_arr[e * nb + bk] += 1;
            if (J.nfree == 0 && jobs_grow(&J)) goto nomem;
            int64_t j = J.free[--J.nfree];
            int64_t o = S->ep_op[e];
            J.op[j] = o;
            J.parent[j] = -1;
            J.ep[j] = e;
            J.step[j] = S->op_first[o];
            J.failed[j] = 0;
            J.arr[j] = now;
            PUSH_ACT(A_SUBMIT, j);
            if (heap_push(&H, now + rng_exp(&rng) * ep_gap[e], EV_ARRIVE, e)) goto nomem;
        } else if (kind == EV_WORKED) {
            int64_t j = arg;
            double pf = S->op_fail[J.op[j]];
            PUSH_ACT((pf > 0 && rng_uniform(&rng) < pf) ? A_FAIL : A_NEXT, j);
        } else {
            for (int64_t s = 0; s < n_st; s++) {
                TOUCH(s);
                S->snap_busy[s * nb + arg] = a_busy[s];
                S->snap_queue[s * nb + arg] = a_queue[s];
                S->snap_cap[s * nb + arg] = a_cap[s];
            }
        }
        while (sp > 0) {
            sp--;
            int64_t a = act[sp], j = act_arg[sp];
            int64_t o = J.op[j];
            int64_t s = S->op_station[o];
            if (a == A_SUBMIT) {
                S->st_arr[s * nb + bk] += 1;
                st_rr[s] = st_rr[s] + 1 < S->st_nrep[s] ? st_rr[s] + 1 : 0;
                int64_t r = st_rep0[s] + st_rr[s];
                J.rep[j] = r;
                if (rep_busy[r] < S->st_conc[s]) {
                    PUSH_ACT(A_START, j);
                } else {
                    TOUCH(s);
                    J.next[j] = -1;
                    if (rep_tail[r] < 0) rep_head[r] = j;
                    else J.next[rep_tail[r]] = j;
                    rep_tail[r] = j;
                    st_queued[s] += 1;
                }
            } else if (a == A_START) {
                int64_t r = J.rep[j];
                TOUCH(s);
                rep_busy[r] += 1;
                st_busy[s] += 1;
                S->st_wsum[s * nb + bk] += now - J.arr[j];
                S->st_wn[s * nb + bk] += 1;
                int64_t k = S->op_kind[o];
                double d;
                if (k == 0) d = S->op_a[o] * rng_exp(&rng);
                else if (k == 1) d = exp(S->op_a[o] + S->op_b[o] * rng_normal(&rng));
                else d = S->op_a[o];
                if (heap_push(&H, now + d, EV_WORKED, j)) goto nomem;
            } else if (a == A_NEXT) {
                if (J.failed[j]) {
                    PUSH_ACT(A_FAIL, j);
                } else if (J.step[j] < S->op_last[o]) {
                    if (J.nfree == 0 && jobs_grow(&J)) goto nomem;
                    int64_t c = J.free[--J.nfree];
                    int64_t co = S->call_target[J.step[j]];
                    J.step[j] += 1;
                    J.op[c] = co;
                    J.parent[c] = j;
                    J.ep[c] = -1;
                    J.step[c] = S->op_first[co];
                    J.failed[c] = 0;
                    J.arr[c] = now;
                    PUSH_ACT(A_SUBMIT, c);
                } else {
                    PUSH_ACT(A_OK, j);
                }
            } else {
                int ok = a == A_OK;
                int64_t r = J.rep[j];
                TOUCH(s);
                rep_busy[r] -= 1;
                st_busy[s] -= 1;
                if (rep_head[r] >= 0) {
                    int64_t nxt = rep_head[r];
                    rep_head[r] = J.next[nxt];
                    if (rep_head[r] < 0) rep_tail[r] = -1;
                    st_queued[s] -= 1;
                    PUSH_ACT(A_START, nxt);
                }
                double lat = now - J.arr[j];
                int64_t g = -1;
                if (ok) {
                    S->st_ok[s * nb + bk] += 1;
                    g = s;
                } else {
                    S->st_err[s * nb + bk] += 1;
                }
                /* reservoir sampling (Algorithm R) of the bucket's latencies per group */
                for (int pass = 0; pass < 2; pass++) {
                    if (g >= 0) {
                        int64_t kk = cur_n[g];
                        if (kk < lat_cap) {
                            cur_v[g * lat_cap + kk] = lat;
                        } else {
                            int64_t rr = (int64_t)(rng_uniform(&rng) * (double)(kk + 1));
                            if (rr < lat_cap) cur_v[g * lat_cap + rr] = lat;
                        }
                        cur_n[g] = kk + 1;
                    }
                    g = -1;
                    if (pass == 0) {
                        int64_t p = J.parent[j];
                        if (p < 0) {
                            int64_t e = J.ep[j];
                            if (ok) {
                                S->ep_ok[e * nb + bk] += 1;
                                g = n_st + e;
                            } else {
                                S->ep_err[e * nb + bk] += 1;
                            }
                        } else {
                            if (!ok) J.failed[p] = 1;
                            PUSH_ACT(A_NEXT, p);
                        }
                    }
                }
                J.free[J.nfree++] = j;
            }
        }
        if (S->progress != NULL && events >= next_report) {
            next_report += S->every;
            PyGILState_STATE st = PyGILState_Ensure();
            PyObject *res = PyObject_CallFunction(S->progress, "d", now);
            int bad = res == NULL || PyErr_CheckSignals() < 0;
            Py_XDECREF(res);
            PyGILState_Release(st);
            if (bad) {
                rc = -2;
                goto done;
            }
        }
    }
    if (seal_bucket(cur_b, n_grp, lat_cap, cur_n, cur_v, L)) goto nomem;
    goto done;
nomem:
    rc = -1;
done:
    *events_out = events;
    free(st_rep0); free(rep_busy); free(rep_head); free(rep_tail); free(st_busy);
    free(st_queued); free(st_last); free(a_busy); free(a_queue); free(a_cap); free(st_rr);
    free(cur_v); free(cur_n); free(ep_gap); free(act); free(act_arg); free(H.v);
    free(J.op); free(J.parent); free(J.ep); free(J.step); free(J.failed); free(J.rep);
    free(J.next); free(J.arr); free(J.free);
    return rc;
}

/* ------------------------------------------------------------------ Python entry */

static PyObject *as_bytes(const void *p, int64_t n, size_t item) {
    return PyBytes_FromStringAndSize(n > 0 ? (const char *)p : "", (Py_ssize_t)(n * (int64_t)item));
}

PyDoc_STRVAR(run_doc,
"run(seed, duration, width, nb, lat_cap, tables, progress=None, every=1<<20)\n"
"-> (events, who, bucket, latency)\n\n"
"Simulate; `tables` is a sequence of the 23 buffers in BUF_NAMES order (int64 or float64,\n"
"C-contiguous; the output ones writable, zeroed by the caller). who/bucket are int64 bytes,\n"
"latency float64 bytes: every kept latency sample with its group and bucket.");

static PyObject *py_run(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *kwlist[] = {"seed", "duration", "width", "nb", "lat_cap", "tables", "progress",
                             "every", NULL};
    unsigned long long seed;
    double duration, width;
    long long nb, lat_cap, every = 1 << 20;
    PyObject *tables, *progress = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "KddLLO|OL", kwlist, &seed, &duration, &width, &nb,
                                     &lat_cap, &tables, &progress, &every))
        return NULL;
    if (nb < 1 || lat_cap < 1 || every < 1 || !(width > 0) || !(duration >= 0)) {
        PyErr_SetString(PyExc_ValueError, "nb, lat_cap, every and width must be positive");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(tables, "tables must be a sequence of buffers");
    if (seq == NULL) return NULL;
    if (PySequence_Fast_GET_SIZE(seq) != N_BUFS) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "tables: %d buffers expected", N_BUFS);
        return NULL;
    }
    buf_t bufs[N_BUFS];
    memset(bufs, 0, sizeof bufs);
    PyObject *result = NULL;
    lat_out_t L = {0};
    for (int i = 0; i < N_BUFS; i++) {
        int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (i >= O_ST_ARR ? PyBUF_WRITABLE : 0);
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(seq, i), &bufs[i].b, flags) < 0) goto out;
        bufs[i].held = 1;
        const char *f = bufs[i].b.format ? bufs[i].b.format : "B";
        int ok = bufs[i].b.itemsize == 8 &&
                 (is_int_buf(i) ? (strchr("qlQL", f[0]) != NULL && f[0] != 0)
                                : (f[0] == 'd'));
        if (!ok) {
            PyErr_Format(PyExc_TypeError, "table %s: %s expected", BUF_NAMES[i],
                         is_int_buf(i) ? "int64" : "float64");
            goto out;
        }
    }
    spec_t S;
    memset(&S, 0, sizeof S);
    S.seed = seed;
    S.duration = duration;
    S.width = width;
    S.nb = nb;
    S.lat_cap = lat_cap;
    S.every = every;
    S.progress = progress == Py_None ? NULL : progress;
#define LEN(i) ((int64_t)(bufs[i].b.len / 8))
#define PI(i) ((const int64_t *)bufs[i].b.buf)
#define PD(i) ((const double *)bufs[i].b.buf)
#define PW(i) ((double *)bufs[i].b.buf)
    S.n_ep = LEN(I_EP_OP);
    S.n_op = LEN(I_OP_STATION);
    S.n_st = LEN(I_ST_CONC);
    S.n_targets = LEN(I_CALL_TARGET);
    S.ep_op = PI(I_EP_OP); S.ep_rate = PD(I_EP_RATE);
    S.op_station = PI(I_OP_STATION); S.op_kind = PI(I_OP_KIND); S.op_a = PD(I_OP_A);
    S.op_b = PD(I_OP_B); S.op_fail = PD(I_OP_FAIL); S.op_first = PI(I_OP_FIRST);
    S.op_last = PI(I_OP_LAST); S.call_target = PI(I_CALL_TARGET);
    S.st_conc = PI(I_ST_CONC); S.st_nrep = PI(I_ST_NREP);
    S.st_arr = PW(O_ST_ARR); S.st_ok = PW(O_ST_OK); S.st_err = PW(O_ST_ERR);
    S.st_wsum = PW(O_ST_WSUM); S.st_wn = PW(O_ST_WN); S.ep_arr = PW(O_EP_ARR);
    S.ep_ok = PW(O_EP_OK); S.ep_err = PW(O_EP_ERR); S.snap_busy = PW(O_SNAP_BUSY);
    S.snap_queue = PW(O_SNAP_QUEUE); S.snap_cap = PW(O_SNAP_CAP);
    /* every index the loop follows must be in range: check the tables once here */
    int bad = LEN(I_EP_RATE) != S.n_ep || LEN(I_ST_NREP) != S.n_st;
    for (int i = I_OP_KIND; i <= I_OP_LAST; i++) bad = bad || LEN(i) != S.n_op;
    for (int i = O_ST_ARR; i <= O_ST_WN; i++) bad = bad || LEN(i) != S.n_st * nb;
    for (int i = O_EP_ARR; i <= O_EP_ERR; i++) bad = bad || LEN(i) != S.n_ep * nb;
    for (int i = O_SNAP_BUSY; i <= O_SNAP_CAP; i++) bad = bad || LEN(i) != S.n_st * nb;
    for (int64_t e = 0; !bad && e < S.n_ep; e++)
        bad = S.ep_op[e] < 0 || S.ep_op[e] >= S.n_op || !(S.ep_rate[e] >= 0);
    for (int64_t o = 0; !bad && o < S.n_op; o++)
        bad = S.op_station[o] < 0 || S.op_station[o] >= S.n_st || S.op_first[o] < 0 ||
              S.op_last[o] < S.op_first[o] || S.op_last[o] > S.n_targets ||
              S.op_kind[o] < 0 || S.op_kind[o] > 2;
    for (int64_t k = 0; !bad && k < S.n_targets; k++)
        bad = S.call_target[k] < 0 || S.call_target[k] >= S.n_op;
    for (int64_t s = 0; !bad && s < S.n_st; s++) bad = S.st_conc[s] < 1 || S.st_nrep[s] < 1;
#undef LEN
#undef PI
#undef PD
#undef PW
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "inconsistent simulation tables");
        goto out;
    }
    int64_t events = 0;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = run_loop(&S, &events, &L);
    Py_END_ALLOW_THREADS
    if (rc == -1) {
        PyErr_NoMemory();
        goto out;
    }
    if (rc == -2) goto out;
    result = Py_BuildValue("(LNNN)", (long long)events, as_bytes(L.who, L.n, sizeof(int64_t)),
                           as_bytes(L.bk, L.n, sizeof(int64_t)), as_bytes(L.val, L.n, sizeof(double)));
out:
    for (int i = 0; i < N_BUFS; i++)
        if (bufs[i].held) PyBuffer_Release(&bufs[i].b);
    Py_DECREF(seq);
    free(L.who); free(L.bk); free(L.val);
    return result;
}

static PyMethodDef methods[] = {
    {"run", (PyCFunction)(void (*)(void))py_run, METH_VARARGS | METH_KEYWORDS, run_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_simcore",
    "meshwright's compiled simulation core (see meshwright.simulate.compiled).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__simcore(void) {
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    PyObject *names = PyTuple_New(N_BUFS);
    if (names == NULL) {
        Py_DECREF(m);
        return NULL;
    }
    for (int i = 0; i < N_BUFS; i++) PyTuple_SET_ITEM(names, i, PyUnicode_FromString(BUF_NAMES[i]));
    if (PyModule_AddObject(m, "TABLES", names) < 0) {
        Py_DECREF(names);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
