/* The compiled simulation core: meshwright's discrete-event engine in C.
 *
 * It runs every model and scenario the Python engine (meshwright/simulate/engine.py, the
 * test oracle) runs, with the same semantics, statement for statement: each function below
 * mirrors the engine method of the same name (`_submit` -> submit, `_proxy_failed` ->
 * proxy_failed, ...), the event heap is ordered by (time, sequence number) and events are
 * created in the same order, and the random numbers come from the same generator with the
 * same block buffering (the `Random` type below, which meshwright.simulate.distributions
 * uses when this extension is built). Same seed, same recorder, on either engine.
 *
 * Python side: meshwright/simulate/compiled.py flattens the Python engine's wired plan
 * (stations, operation and call plans, consumer groups, entrypoints, faults) into tuples,
 * and reads back the per-bucket counters. The GIL is released while the loop runs; it is
 * taken back for the progress callable and for the autoscaler's decision (the HPA formula
 * of meshwright.analysis.utilisation, called, not re-derived).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ random numbers */

#define BLOCK 16384 /* distributions.Random.BLOCK */

typedef struct {
    uint64_t s[4];
    int ei, ui, ni;
    double e[BLOCK], u[BLOCK], n[BLOCK];
} rng_t;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
    r->ei = r->ui = r->ni = BLOCK;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng_t *r) { /* xoshiro256++ */
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

static inline double raw_uniform(rng_t *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

static void fill_exp(rng_t *r) {
    for (int k = 0; k < BLOCK; k++) r->e[k] = -log(1.0 - raw_uniform(r));
    r->ei = 0;
}

static void fill_uniform(rng_t *r) {
    for (int k = 0; k < BLOCK; k++) r->u[k] = raw_uniform(r);
    r->ui = 0;
}

static void fill_normal(rng_t *r) { /* Marsaglia's polar method, both values of each pair */
    for (int k = 0; k < BLOCK; k += 2) {
        double u, v, s;
        do {
            u = 2.0 * raw_uniform(r) - 1.0;
            v = 2.0 * raw_uniform(r) - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        double m = sqrt(-2.0 * log(s) / s);
        r->n[k] = u * m;
        r->n[k + 1] = v * m;
    }
    r->ni = 0;
}

static inline double rng_exp(rng_t *r) {
    if (r->ei >= BLOCK) fill_exp(r);
    return r->e[r->ei++];
}

static inline double rng_uniform(rng_t *r) {
    if (r->ui >= BLOCK) fill_uniform(r);
    return r->u[r->ui++];
}

static inline double rng_normal(rng_t *r) {
    if (r->ni >= BLOCK) fill_normal(r);
    return r->n[r->ni++];
}

enum { S_EXP = 0, S_LOGNORMAL = 1, S_DET = 2 };

static inline double rng_draw(rng_t *r, int kind, double a, double b) {
    if (kind == S_EXP) return a * rng_exp(r);
    if (kind == S_LOGNORMAL) return exp(a + b * rng_normal(r));
    return a;
}

/* ------------------------------------------------------------------ policies (policies.py) */

typedef struct { double rate, capacity, tokens, last; } bucket_t;

static int bucket_take(bucket_t *t, double now) {
    double x = t->tokens + (now - t->last) * t->rate;
    t->tokens = t->capacity <= x ? t->capacity : x;
    t->last = now;
    if (t->tokens >= 1.0) {
        t->tokens -= 1.0;
        return 1;
    }
    return 0;
}

typedef struct { int64_t width, slot; int64_t *a, *b; } window_t;

static int64_t window_advance(window_t *w, double now) {
    int64_t cur = (int64_t)now;
    if (cur - w->slot >= w->width) {
        memset(w->a, 0, (size_t)w->width * sizeof(int64_t));
        memset(w->b, 0, (size_t)w->width * sizeof(int64_t));
    } else {
        for (int64_t s = w->slot + 1; s < cur + 1; s++) {
            w->a[s % w->width] = 0;
            w->b[s % w->width] = 0;
        }
    }
    if (cur > w->slot) w->slot = cur;
    return cur % w->width;
}

static void window_add(window_t *w, double now, int64_t a, int64_t b) {
    int64_t i = window_advance(w, now);
    w->a[i] += a;
    w->b[i] += b;
}

static void window_totals(window_t *w, double now, int64_t *ta, int64_t *tb) {
    window_advance(w, now);
    int64_t x = 0, y = 0;
    for (int64_t i = 0; i < w->width; i++) {
        x += w->a[i];
        y += w->b[i];
    }
    *ta = x;
    *tb = y;
}

enum { CB_CLOSED = 0, CB_HALF = 1, CB_OPENED = 2 };

typedef struct {
    int64_t consecutive_limit; /* -1: none */
    double error_rate;         /* NAN: none */
    int64_t min_requests, half_open_requests;
    double open_for, opened_at;
    window_t window;
    int state;
    int64_t consecutive, probes, probe_ok;
} breaker_t;

static int breaker_allow(breaker_t *c, double now) {
    if (c->state == CB_CLOSED) return 1;
    if (c->state == CB_OPENED) {
        if (now - c->opened_at < c->open_for) return 0;
        c->state = CB_HALF;
        c->probes = 0;
        c->probe_ok = 0;
    }
    if (c->probes < c->half_open_requests) {
        c->probes += 1;
        return 1;
    }
    return 0;
}

static int breaker_current(const breaker_t *c, double now) {
    if (c->state == CB_OPENED && now - c->opened_at >= c->open_for) return CB_HALF;
    return c->state;
}

static void breaker_open(breaker_t *c, double now) {
    c->state = CB_OPENED;
    c->opened_at = now;
    c->consecutive = 0;
}

static void breaker_record(breaker_t *c, double now, int ok) {
    if (c->state == CB_HALF) {
        if (!ok) {
            breaker_open(c, now);
            return;
        }
        c->probe_ok += 1;
        if (c->probe_ok >= c->half_open_requests) {
            c->state = CB_CLOSED;
            c->consecutive = 0;
            c->window.slot = 0; /* a fresh window of the same width */
            memset(c->window.a, 0, (size_t)c->window.width * sizeof(int64_t));
            memset(c->window.b, 0, (size_t)c->window.width * sizeof(int64_t));
        }
        return;
    }
    if (c->state == CB_OPENED) return;
    c->consecutive = ok ? 0 : c->consecutive + 1;
    if (c->consecutive_limit >= 0 && c->consecutive >= c->consecutive_limit) {
        breaker_open(c, now);
        return;
    }
    if (!isnan(c->error_rate)) {
        window_add(&c->window, now, 1, ok ? 0 : 1);
        int64_t total, errors;
        window_totals(&c->window, now, &total, &errors);
        if (total >= c->min_requests && 100.0 * (double)errors / (double)total >= c->error_rate)
            breaker_open(c, now);
    }
}

typedef struct { double ratio, min_per_second, span; window_t window; } budget_t;

static void budget_note_call(budget_t *b, double now) { window_add(&b->window, now, 1, 0); }

static int budget_try_retry(budget_t *b, double now) {
    int64_t calls, retries;
    window_totals(&b->window, now, &calls, &retries);
    double x = b->min_per_second * b->span, y = b->ratio * (double)calls;
    double allowed = x >= y ? x : y;
    if ((double)(retries + 1) <= allowed) {
        window_add(&b->window, now, 0, 1);
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ the network (network.py) */

/* outcome kinds (network.py), and "deadline" for the failure counters */
enum { K_OK, K_ERROR, K_UNAVAILABLE, K_RESET, K_TIMEOUT, K_RATE_LIMITED, K_CB_OPEN, K_BULKHEAD,
       K_THROTTLED, K_CONNECT, K_DEADLINE, N_KINDS };
enum { P_CALL = 0, P_ENTRY = 1, P_CONSUMER = 2 };
enum { LB_RR = 0, LB_LEAST = 1, LB_P2C = 2 };
/* per-service series, in this order in the output table */
enum { SF_ARR, SF_OK, SF_ERR, SF_REJ, SF_RETRIES, SF_WSUM, SF_WN, SF_BUSY, SF_QUEUE, SF_UTIL, SF_REPLICAS,
       N_SFIELDS };
enum { E_ARR, E_OK, E_ERR, E_REJ, N_EFIELDS };

typedef struct job job_t;
typedef struct ctx ctx_t;
typedef struct opplan opplan_t;
typedef struct callplan callplan_t;
typedef struct tgroup tgroup_t;

typedef struct replica {
    int64_t busy, qlen;
    job_t *qhead, *qtail; /* FIFO queue */
    job_t *ahead, *atail; /* jobs in service, in start order */
    int up, draining;
} replica_t;

typedef struct {
    int64_t idx, conc, qlimit; /* qlimit -1: unbounded */
    int lb;
    replica_t **reps;
    int64_t nrep, caprep;
    replica_t **live;
    int64_t nlive, caplive;
    int64_t rr, busy, queued, capacity;
    double last, busy_area, queue_area, cap_area, pb, pq, pc;
    double slow, add, chaos_err, fail_p;
    bucket_t *limiter;
    int scaled, scale_pending;
    double reaction, stabilization;
    double cpu_work, mark_work, mark_cap;
    double *rec_t;
    int64_t *rec_d;
    int64_t rec_head, rec_n, rec_capt, rec_capd;
} station_t;

struct opplan {
    station_t *st;
    int kind;
    double a, b;
    int64_t ngroups;
    int *g_parallel;
    int64_t *g_first, *g_last; /* into op_calls */
    callplan_t **calls;
    int fractional;
    callplan_t **s_flat; /* static steps, when not fractional */
    int64_t *s_bound, s_n;
    tgroup_t **publishes;
    int64_t npub;
};

typedef struct {
    int64_t attempts;
    double per_try; /* NAN: none */
    uint32_t kinds;
    budget_t *budget;
    int jitter; /* 0 none (or no backoff), 1 full, 2 equal */
    double *delays; /* delays[retry], 1 <= retry <= attempts */
} layer_t;

typedef struct {
    int64_t max_concurrent, max_queue, in_flight, nwait;
    ctx_t *whead, *wtail;
} bulkhead_t;

struct callplan {
    opplan_t *target;
    int64_t caller, callee;
    int64_t copies;
    double frac, timeout;
    layer_t app, mesh;
    breaker_t *breaker;
    bulkhead_t *bulkhead;
    bucket_t *limiter;
    opplan_t *fallback_target;
    int fallback_static;
};

struct job {
    int64_t rc;
    uint64_t id;
    opplan_t *plan;
    double arrival;
    void *parent;
    int pkind, dead, failed;
    replica_t *rep;
    int64_t pending, step, nsteps;
    callplan_t **flat;
    int64_t *bound;
    int owned; /* flat/bound are this job's own (fractional per_request) */
    job_t *prev, *next;
    job_t *pool_next;
};

struct ctx {
    int64_t rc;
    job_t *job;
    callplan_t *plan;
    int64_t app_attempt, mesh_attempt;
    int running, in_bulkhead, phase, waiting;
    uint64_t current; /* the job id of the try in flight, 0: none */
    double deadline, app_deadline; /* NAN: none */
    ctx_t *wprev, *wnext;
};

typedef struct {
    opplan_t *plan;
    double base, mult;
    bucket_t *limiter;
    int64_t series, token;
} entry_t;

struct tgroup {
    opplan_t *plan;
    int64_t partitions, backlog, in_flight;
    int paused;
    int has_dl;
    tgroup_t **dl;
    int64_t ndl;
};

typedef struct {
    double at, end; /* end NAN: never undone */
    int action;
    int64_t st, replicas, b0, b1;
    double add, rate, factor, multiplier;
    replica_t **crashed;
    int64_t ncrashed;
} fault_t;

enum { A_CRASH, A_LATENCY, A_ERRORS, A_SLOW, A_PARTITION, A_SPIKE };

enum { EV_ARRIVE, EV_SET_RATE, EV_FAULT, EV_SAMPLE, EV_AUTOSCALE, EV_APPLY_SCALE, EV_WORKED,
       EV_LOST, EV_MESH_TIMEOUT, EV_APP_TIMEOUT, EV_DEADLINE, EV_PROXY_TRY, EV_APP_TRY,
       EV_RESUME };

/* tk: the time's bits (times are >= 0, so their bits order as the times do) */
typedef struct { uint64_t tk; uint64_t seq; void *p; int64_t i; int kind; } event_t;

typedef struct {
    /* kept latencies, bucket by bucket, each bucket group by group; count[bucket][group] */
    int64_t *count;
    double *val;
    int64_t n, cap;
} lat_out_t;

typedef struct {
    double now, duration, width, connect_timeout, autoscale_period, redelivery_delay;
    int64_t nb, cur_b, events;
    int64_t bk; /* recorder.bucket(now), once per event */
    rng_t *rng;
    rng_t *lat_rng; /* the reservoir's own generator: the engine's sequence is untouched */
    event_t *heap;
    int64_t hn, hcap, seq;
    int64_t n_st, n_op, n_call, n_ep, n_tg, n_fault, n_prof, n_series, n_br, n_tout;
    station_t *st;
    opplan_t *op;
    callplan_t *call;
    entry_t *ep;
    tgroup_t *tg;
    fault_t *fault;
    double *prof_at, *prof_rate;
    int64_t *prof_ep;
    int64_t *br_call, *tout_group, *tout_label;
    int64_t *partition; /* n_st x n_st counts */
    int any_scale;
    /* outputs */
    double *o_st, *o_ep, *o_fail, *o_br, *o_tp;
    int64_t lat_cap;
    int64_t n_grp;
    double *cur_v;
    int64_t *cur_n;
    lat_out_t lat;
    /* pools */
    job_t *job_free;
    ctx_t *ctx_free;
    void **chunks; /* every allocation, freed at the end */
    int64_t nchunks, capchunks;
    job_t **job_chunks;
    int64_t njchunks, capjchunks;
    uint64_t next_id;
    /* the allocation of jobs and contexts in use, for the final clean-up */
    PyObject *progress, *scale_fn;
    int64_t every, next_report;
    int error; /* -1 no memory, -2 Python error */
} sim_t;

#define S_(s, f, b) (sim->o_st[((s) * N_SFIELDS + (f)) * sim->nb + (b)])
#define E_(e, f, b) (sim->o_ep[((e) * N_EFIELDS + (f)) * sim->nb + (b)])

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

static inline int ev_less(const event_t *a, const event_t *b) {
    return a->tk < b->tk || (a->tk == b->tk && a->seq < b->seq);
}

static void ctx_incref(ctx_t *c) { c->rc++; }
static void job_incref(job_t *j) { j->rc++; }
static void job_decref(sim_t *sim, job_t *j);
static void ctx_decref(sim_t *sim, ctx_t *c);

static int holds_job(int kind) { return kind == EV_WORKED || kind == EV_LOST; }
static int holds_ctx(int kind) {
    return kind == EV_MESH_TIMEOUT || kind == EV_APP_TIMEOUT || kind == EV_DEADLINE ||
           kind == EV_PROXY_TRY || kind == EV_APP_TRY;
}

/* the event heap: 4-ary, ordered by (time, sequence number) as engine.py's heapq */
static void at(sim_t *sim, double t, int kind, void *p, int64_t i) {
    if (sim->error) return;
    if (grow((void **)&sim->heap, &sim->hcap, sim->hn + 1, sizeof(event_t))) {
        sim->error = -1;
        return;
    }
    if (holds_job(kind)) job_incref((job_t *)p);
    else if (holds_ctx(kind)) ctx_incref((ctx_t *)p);
    if (t == 0.0) t = 0.0; /* no -0.0 */
    uint64_t tk;
    memcpy(&tk, &t, sizeof tk);
    event_t e = {tk, (uint64_t)sim->seq++, p, i, kind};
    int64_t k = sim->hn++;
    event_t *h = sim->heap;
    while (k > 0) {
        int64_t q = (k - 1) >> 2;
        if (!ev_less(&e, &h[q])) break;
        h[k] = h[q];
        k = q;
    }
    h[k] = e;
}

static void heap_pop(sim_t *sim) {
    event_t *h = sim->heap;
    event_t last = h[--sim->hn];
    int64_t n = sim->hn, i = 0;
    for (;;) {
        int64_t c = 4 * i + 1;
        if (c >= n) break;
        int64_t best = c, end = c + 4 < n ? c + 4 : n;
        for (int64_t d = c + 1; d < end; d++)
            if (ev_less(&h[d], &h[best])) best = d;
        if (!ev_less(&h[best], &last)) break;
        h[i] = h[best];
        i = best;
    }
    if (n > 0) h[i] = last;
}

/* ------------------------------------------------------------------ pools */

#define CHUNK 4096

static int add_chunk(sim_t *sim, void *p) {
    if (grow((void **)&sim->chunks, &sim->capchunks, sim->nchunks + 1, sizeof(void *))) return -1;
    sim->chunks[sim->nchunks++] = p;
    return 0;
}

static job_t *job_new(sim_t *sim, opplan_t *plan, double arrival, void *parent, int pkind) {
    if (sim->job_free == NULL) {
        job_t *c = calloc(CHUNK, sizeof(job_t));
        if (c == NULL || add_chunk(sim, c) ||
            grow((void **)&sim->job_chunks, &sim->capjchunks, sim->njchunks + 1, sizeof(job_t *))) {
            sim->error = -1;
            return NULL;
        }
        sim->job_chunks[sim->njchunks++] = c;
        for (int k = CHUNK - 1; k >= 0; k--) {
            c[k].pool_next = sim->job_free;
            sim->job_free = &c[k];
        }
    }
    job_t *j = sim->job_free;
    sim->job_free = j->pool_next;
    memset(j, 0, sizeof *j);
    j->rc = 1;
    j->id = ++sim->next_id;
    j->plan = plan;
    j->arrival = arrival;
    j->parent = parent;
    j->pkind = pkind;
    if (pkind == P_CALL) ctx_incref((ctx_t *)parent);
    return j;
}

static void job_decref(sim_t *sim, job_t *j) {
    if (--j->rc > 0) return;
    if (j->owned) {
        free(j->flat);
        free(j->bound);
    }
    void *parent = j->parent;
    int pk = j->pkind;
    j->rc = 0;
    j->pool_next = sim->job_free;
    sim->job_free = j;
    if (pk == P_CALL) ctx_decref(sim, (ctx_t *)parent);
}

static ctx_t *ctx_new(sim_t *sim, job_t *job, callplan_t *plan) {
    if (sim->ctx_free == NULL) {
        ctx_t *c = calloc(CHUNK, sizeof(ctx_t));
        if (c == NULL || add_chunk(sim, c)) {
            sim->error = -1;
            return NULL;
        }
        for (int k = CHUNK - 1; k >= 0; k--) {
            c[k].wnext = sim->ctx_free;
            sim->ctx_free = &c[k];
        }
    }
    ctx_t *x = sim->ctx_free;
    sim->ctx_free = x->wnext;
    memset(x, 0, sizeof *x);
    x->rc = 1;
    x->job = job;
    job_incref(job);
    x->plan = plan;
    x->app_attempt = 1;
    x->mesh_attempt = 1;
    x->deadline = NAN;
    x->app_deadline = NAN;
    return x;
}

static void ctx_decref(sim_t *sim, ctx_t *c) {
    if (--c->rc > 0) return;
    job_t *j = c->job;
    c->wnext = sim->ctx_free;
    sim->ctx_free = c;
    job_decref(sim, j);
}

/* ------------------------------------------------------------------ recorder helpers */

static void seal_bucket(sim_t *sim, int64_t bucket) {
    lat_out_t *L = &sim->lat;
    for (int64_t g = 0; g < sim->n_grp; g++) {
        int64_t m = sim->cur_n[g] < sim->lat_cap ? sim->cur_n[g] : sim->lat_cap;
        if (m > 0) {
            if (grow((void **)&L->val, &L->cap, L->n + m, sizeof(double))) {
                sim->error = -1;
                return;
            }
            memcpy(L->val + L->n, sim->cur_v + g * sim->lat_cap, (size_t)m * sizeof(double));
            L->n += m;
            L->count[bucket * sim->n_grp + g] = m;
        }
        sim->cur_n[g] = 0;
    }
}

/* a latency in group g (a station, or n_st + entry series) of the current bucket; beyond
 * lat_cap per bucket, a uniform sample (Algorithm R) */
static void latency(sim_t *sim, int64_t g, double lat) {
    int64_t b = sim->bk;
    if (b != sim->cur_b) {
        seal_bucket(sim, sim->cur_b);
        sim->cur_b = b;
    }
    int64_t k = sim->cur_n[g];
    if (k < sim->lat_cap) {
        sim->cur_v[g * sim->lat_cap + k] = lat;
    } else {
        int64_t r = (int64_t)(raw_uniform(sim->lat_rng) * (double)(k + 1));
        if (r < sim->lat_cap) sim->cur_v[g * sim->lat_cap + r] = lat;
    }
    sim->cur_n[g] = k + 1;
}

static inline void failure(sim_t *sim, int64_t st, int kind) { sim->o_fail[st * N_KINDS + kind] += 1; }

/* ------------------------------------------------------------------ stations */

static void touch(station_t *st, double now) {
    double dt = now - st->last;
    if (dt > 0) {
        st->busy_area += dt * (double)st->busy;
        st->queue_area += dt * (double)st->queued;
        st->cap_area += dt * (double)st->capacity;
        st->last = now;
    }
}

static void refresh_live(sim_t *sim, station_t *st) {
    if (grow((void **)&st->live, &st->caplive, st->nrep + 1, sizeof(replica_t *))) {
        sim->error = -1;
        return;
    }
    st->nlive = 0;
    for (int64_t k = 0; k < st->nrep; k++)
        if (st->reps[k]->up && !st->reps[k]->draining) st->live[st->nlive++] = st->reps[k];
}

static void reply(sim_t *sim, job_t *job, int ok, int kind);
static void finish(sim_t *sim, job_t *job, int ok);
static void call(sim_t *sim, job_t *job, callplan_t *c);
static void dispatch(sim_t *sim, ctx_t *ctx);
static void proxy_try(sim_t *sim, ctx_t *ctx, int64_t attempt);
static void app_try(sim_t *sim, ctx_t *ctx);
static void pump(sim_t *sim, tgroup_t *g);

static inline int64_t load(const replica_t *r) { return r->busy + r->qlen; }

static replica_t *pick(sim_t *sim, station_t *st) {
    int64_t n = st->nlive;
    if (n <= 1) return n ? st->live[0] : NULL;
    if (st->lb == LB_RR) {
        st->rr = (st->rr + 1) % n;
        return st->live[st->rr];
    }
    if (st->lb == LB_LEAST) {
        replica_t *best = st->live[0];
        for (int64_t k = 1; k < n; k++)
            if (load(st->live[k]) < load(best)) best = st->live[k];
        return best;
    }
    int64_t i = (int64_t)(rng_uniform(sim->rng) * (double)n);
    int64_t j = (int64_t)(rng_uniform(sim->rng) * (double)(n - 1));
    if (j >= i) j += 1;
    replica_t *a = st->live[i], *c = st->live[j];
    return load(a) <= load(c) ? a : c;
}

static void start(sim_t *sim, job_t *job, station_t *st, replica_t *rep) {
    double now = sim->now;
    touch(st, now);
    rep->busy += 1;
    st->busy += 1;
    job_incref(job); /* the active list's */
    job->prev = rep->atail;
    job->next = NULL;
    if (rep->atail) rep->atail->next = job;
    else rep->ahead = job;
    rep->atail = job;
    int64_t b = sim->bk;
    S_(st->idx, SF_WSUM, b) += now - job->arrival;
    S_(st->idx, SF_WN, b) += 1;
    opplan_t *p = job->plan;
    double work = rng_draw(sim->rng, p->kind, p->a, p->b) * st->slow;
    st->cpu_work += work; /* analysis.utilisation.cpu_seconds: one core per request */
    at(sim, now + work + st->add, EV_WORKED, job, 0);
}

static void reject(sim_t *sim, job_t *job, int kind, int64_t b) {
    int64_t s = job->plan->st->idx;
    S_(s, SF_REJ, b) += 1;
    S_(s, SF_ERR, b) += 1;
    reply(sim, job, 0, kind);
}

static void submit(sim_t *sim, job_t *job) {
    station_t *st = job->plan->st;
    double now = sim->now;
    int64_t b = sim->bk;
    S_(st->idx, SF_ARR, b) += 1;
    if (st->limiter != NULL && !bucket_take(st->limiter, now)) {
        reject(sim, job, K_RATE_LIMITED, b);
        return;
    }
    replica_t *rep = pick(sim, st);
    if (rep == NULL) {
        reject(sim, job, K_UNAVAILABLE, b);
        return;
    }
    job->rep = rep;
    if (rep->busy < st->conc) {
        start(sim, job, st, rep);
    } else if (st->qlimit < 0 || rep->qlen < st->qlimit) {
        touch(st, now);
        job_incref(job); /* the queue's */
        job->next = NULL;
        job->prev = rep->qtail;
        if (rep->qtail) rep->qtail->next = job;
        else rep->qhead = job;
        rep->qtail = job;
        rep->qlen += 1;
        st->queued += 1;
    } else {
        reject(sim, job, K_UNAVAILABLE, b);
    }
}

static void retire(sim_t *sim, station_t *st, replica_t *rep) {
    touch(st, sim->now);
    rep->draining = 0;
    rep->up = 0;
    st->capacity -= st->conc;
    for (int64_t k = 0; k < st->nrep; k++) {
        if (st->reps[k] == rep) {
            memmove(&st->reps[k], &st->reps[k + 1], (size_t)(st->nrep - k - 1) * sizeof(replica_t *));
            st->nrep -= 1;
            break;
        }
    }
    refresh_live(sim, st);
}

/* ------------------------------------------------------------------ operations */

static int64_t copies(sim_t *sim, callplan_t *c) {
    int64_t n = c->copies;
    if (c->frac > 0 && rng_uniform(sim->rng) < c->frac) n += 1;
    return n;
}

/* the steps of a plan: flat call list with step boundaries (bound[k]..bound[k+1]) */
static int make_steps(sim_t *sim, opplan_t *p, int draw, callplan_t ***flat_out,
                      int64_t **bound_out, int64_t *n_out) {
    callplan_t **flat = NULL;
    int64_t *bound = NULL, nf = 0, capf = 0, ns = 0, capb = 0;
    if (grow((void **)&bound, &capb, 1, sizeof(int64_t))) return -1;
    bound[0] = 0;
    for (int64_t g = 0; g < p->ngroups; g++) {
        if (p->g_parallel[g]) {
            int64_t before = nf;
            for (int64_t k = p->g_first[g]; k < p->g_last[g]; k++) {
                callplan_t *c = p->calls[k];
                int64_t m = draw ? copies(sim, c) : c->copies;
                if (grow((void **)&flat, &capf, nf + m + 1, sizeof(callplan_t *))) goto nomem;
                for (int64_t r = 0; r < m; r++) flat[nf++] = c;
            }
            if (nf > before) {
                if (grow((void **)&bound, &capb, ns + 2, sizeof(int64_t))) goto nomem;
                bound[++ns] = nf;
            }
        } else {
            callplan_t *c = p->calls[p->g_first[g]];
            int64_t m = draw ? copies(sim, c) : c->copies;
            if (grow((void **)&flat, &capf, nf + m + 1, sizeof(callplan_t *))) goto nomem;
            if (grow((void **)&bound, &capb, ns + m + 2, sizeof(int64_t))) goto nomem;
            for (int64_t r = 0; r < m; r++) {
                flat[nf++] = c;
                bound[++ns] = nf;
            }
        }
    }
    *flat_out = flat;
    *bound_out = bound;
    *n_out = ns;
    return 0;
nomem:
    free(flat);
    free(bound);
    return -1;
}

static void next_step(sim_t *sim, job_t *job) {
    if (job->failed) {
        finish(sim, job, 0);
        return;
    }
    if (job->step >= job->nsteps) {
        finish(sim, job, 1);
        return;
    }
    int64_t k = job->step;
    job->step += 1;
    int64_t lo = job->bound[k], hi = job->bound[k + 1];
    job->pending = hi - lo;
    job_incref(job);
    for (int64_t i = lo; i < hi && !sim->error; i++) call(sim, job, job->flat[i]);
    job_decref(sim, job);
}

static void worked(sim_t *sim, job_t *job) {
    if (job->dead) return;
    station_t *st = job->plan->st;
    double p = st->fail_p + st->chaos_err - st->fail_p * st->chaos_err;
    if (p > 0 && rng_uniform(sim->rng) < p) {
        finish(sim, job, 0);
        return;
    }
    opplan_t *plan = job->plan;
    if (!plan->fractional) {
        job->flat = plan->s_flat;
        job->bound = plan->s_bound;
        job->nsteps = plan->s_n;
    } else {
        if (job->owned) {
            free(job->flat);
            free(job->bound);
        }
        if (make_steps(sim, plan, 1, &job->flat, &job->bound, &job->nsteps)) {
            job->owned = 0;
            sim->error = -1;
            return;
        }
        job->owned = 1;
    }
    job->step = 0;
    next_step(sim, job);
}

static void finish(sim_t *sim, job_t *job, int ok) {
    station_t *st = job->plan->st;
    replica_t *rep = job->rep;
    double now = sim->now;
    job_incref(job);
    touch(st, now);
    if (rep != NULL) {
        rep->busy -= 1;
        st->busy -= 1;
        /* out of the active list (it is there unless its replica crashed) */
        if (job->prev != NULL || job->next != NULL || rep->ahead == job) {
            if (job->prev) job->prev->next = job->next;
            else rep->ahead = job->next;
            if (job->next) job->next->prev = job->prev;
            else rep->atail = job->prev;
            job->prev = job->next = NULL;
            job_decref(sim, job);
        }
        if (rep->qhead != NULL) {
            job_t *nxt = rep->qhead;
            rep->qhead = nxt->next;
            if (rep->qhead) rep->qhead->prev = NULL;
            else rep->qtail = NULL;
            nxt->next = nxt->prev = NULL;
            rep->qlen -= 1;
            st->queued -= 1;
            start(sim, nxt, st, rep);
            job_decref(sim, nxt); /* the queue's */
        } else if (rep->draining && rep->busy == 0) {
            retire(sim, st, rep);
        }
    }
    int64_t b = sim->bk;
    if (ok) {
        S_(st->idx, SF_OK, b) += 1;
        latency(sim, st->idx, now - job->arrival);
        for (int64_t k = 0; k < job->plan->npub; k++) {
            tgroup_t *g = job->plan->publishes[k];
            g->backlog += 1;
            pump(sim, g);
        }
    } else {
        S_(st->idx, SF_ERR, b) += 1;
    }
    reply(sim, job, ok, ok ? K_OK : K_ERROR);
    job_decref(sim, job);
}

/* ------------------------------------------------------------------ calls */

static void release(sim_t *sim, ctx_t *ctx);
static void call_done(sim_t *sim, ctx_t *ctx, int ok);
static void proxy_failed(sim_t *sim, ctx_t *ctx, int kind);
static void app_failed(sim_t *sim, ctx_t *ctx, int kind, int counted);

static void reply(sim_t *sim, job_t *job, int ok, int kind) {
    int pk = job->pkind;
    if (pk == P_CALL) {
        ctx_t *ctx = (ctx_t *)job->parent;
        if (ctx->current != job->id || ctx->phase == 2) return;
        ctx->current = 0;
        if (ctx->phase == 1) {
            call_done(sim, ctx, ok);
            return;
        }
        if (!ok) {
            proxy_failed(sim, ctx, kind);
            return;
        }
        ctx->running = 0;
        release(sim, ctx);
        if (ctx->plan->breaker != NULL) breaker_record(ctx->plan->breaker, sim->now, 1);
        call_done(sim, ctx, 1);
    } else if (pk == P_ENTRY) {
        entry_t *ep = (entry_t *)job->parent;
        int64_t b = sim->bk;
        if (ok) {
            E_(ep->series, E_OK, b) += 1;
            latency(sim, sim->n_st + ep->series, sim->now - job->arrival);
        } else {
            E_(ep->series, E_ERR, b) += 1;
        }
    } else {
        tgroup_t *g = (tgroup_t *)job->parent;
        g->in_flight -= 1;
        if (ok) {
            pump(sim, g);
            return;
        }
        if (g->has_dl) {
            for (int64_t k = 0; k < g->ndl; k++) { /* the message moves on; no pause */
                g->dl[k]->backlog += 1;
                pump(sim, g->dl[k]);
            }
            pump(sim, g);
            return;
        }
        g->backlog += 1; /* not committed: redelivered after the pause */
        if (!g->paused) {
            g->paused = 1;
            at(sim, sim->now + sim->redelivery_delay, EV_RESUME, g, 0);
        }
    }
}

static void call(sim_t *sim, job_t *job, callplan_t *c) {
    ctx_t *ctx = ctx_new(sim, job, c);
    if (ctx == NULL) return;
    if (c->app.budget != NULL) budget_note_call(c->app.budget, sim->now);
    if (!isnan(c->timeout)) {
        ctx->deadline = sim->now + c->timeout;
        at(sim, ctx->deadline, EV_DEADLINE, ctx, 0);
    }
    app_try(sim, ctx);
    ctx_decref(sim, ctx);
}

static void wait_remove(bulkhead_t *bh, ctx_t *w) {
    if (w->wprev) w->wprev->wnext = w->wnext;
    else bh->whead = w->wnext;
    if (w->wnext) w->wnext->wprev = w->wprev;
    else bh->wtail = w->wprev;
    w->wprev = w->wnext = NULL;
    w->waiting = 0;
    bh->nwait -= 1;
}

static void app_try(sim_t *sim, ctx_t *ctx) {
    if (ctx->phase != 0 || ctx->job->dead) return;
    callplan_t *c = ctx->plan;
    if (c->limiter != NULL && !bucket_take(c->limiter, sim->now)) {
        app_failed(sim, ctx, K_THROTTLED, 0);
        return;
    }
    bulkhead_t *bh = c->bulkhead;
    if (bh != NULL) {
        if (bh->in_flight >= bh->max_concurrent) {
            if (bh->nwait < bh->max_queue) {
                ctx_incref(ctx); /* the waiting queue's */
                ctx->waiting = 1;
                ctx->wnext = NULL;
                ctx->wprev = bh->wtail;
                if (bh->wtail) bh->wtail->wnext = ctx;
                else bh->whead = ctx;
                bh->wtail = ctx;
                bh->nwait += 1;
            } else {
                app_failed(sim, ctx, K_BULKHEAD, 0);
            }
            return;
        }
        bh->in_flight += 1;
        ctx->in_bulkhead = 1;
    }
    dispatch(sim, ctx);
}

static void dispatch(sim_t *sim, ctx_t *ctx) {
    callplan_t *c = ctx->plan;
    double now = sim->now;
    if (c->breaker != NULL && !breaker_allow(c->breaker, now)) {
        release(sim, ctx);
        app_failed(sim, ctx, K_CB_OPEN, 0);
        return;
    }
    ctx->running = 1;
    ctx->mesh_attempt = 1;
    ctx->app_deadline = NAN;
    if (!isnan(c->app.per_try)) {
        ctx->app_deadline = now + c->app.per_try;
        at(sim, ctx->app_deadline, EV_APP_TIMEOUT, ctx, ctx->app_attempt);
    }
    if (c->mesh.budget != NULL) budget_note_call(c->mesh.budget, now);
    proxy_try(sim, ctx, ctx->app_attempt);
}

static void proxy_try(sim_t *sim, ctx_t *ctx, int64_t attempt) {
    if (ctx->phase != 0 || ctx->job->dead || !ctx->running || ctx->app_attempt != attempt) return;
    callplan_t *c = ctx->plan;
    double now = sim->now;
    job_t *child = job_new(sim, c->target, now, ctx, P_CALL);
    if (child == NULL) return;
    ctx->current = child->id;
    if (!isnan(c->mesh.per_try)) at(sim, now + c->mesh.per_try, EV_MESH_TIMEOUT, ctx, (int64_t)child->id);
    if (sim->partition[c->caller * sim->n_st + c->callee]) {
        at(sim, now + sim->connect_timeout, EV_LOST, child, 0);
    } else {
        submit(sim, child);
    }
    job_decref(sim, child);
}

static void release(sim_t *sim, ctx_t *ctx) {
    if (!ctx->in_bulkhead) return;
    ctx->in_bulkhead = 0;
    bulkhead_t *bh = ctx->plan->bulkhead;
    bh->in_flight -= 1;
    while (bh->whead != NULL) {
        ctx_t *w = bh->whead;
        wait_remove(bh, w);
        if (w->phase == 0 && !w->job->dead) {
            bh->in_flight += 1;
            w->in_bulkhead = 1;
            dispatch(sim, w);
            ctx_decref(sim, w);
            break;
        }
        ctx_decref(sim, w);
    }
}

static inline double backoff(sim_t *sim, layer_t *layer, int64_t retry) {
    double d = layer->delays[retry];
    if (layer->jitter == 0) return d;
    double u = rng_uniform(sim->rng);
    return layer->jitter == 1 ? d * u : d / 2 + d / 2 * u;
}

/* the backoff before a layer's retry, or -1 when it does not retry (see engine.py) */
static double retry_delay(sim_t *sim, ctx_t *ctx, layer_t *layer, int64_t attempt, int kind,
                          double limit) {
    double now = sim->now;
    if (attempt >= layer->attempts || !(layer->kinds & (1u << kind)) || ctx->job->dead ||
        (layer->budget != NULL && !budget_try_retry(layer->budget, now)))
        return -1.0;
    double delay = backoff(sim, layer, attempt);
    if (!isnan(limit) && now + delay >= limit) return -1.0;
    S_(ctx->job->plan->st->idx, SF_RETRIES, sim->bk) += 1;
    return delay;
}

static void app_try_failed(sim_t *sim, ctx_t *ctx, int kind) {
    ctx->running = 0;
    release(sim, ctx);
    if (ctx->plan->breaker != NULL) breaker_record(ctx->plan->breaker, sim->now, 0);
    app_failed(sim, ctx, kind, 1);
}

static void proxy_failed(sim_t *sim, ctx_t *ctx, int kind) {
    callplan_t *c = ctx->plan;
    failure(sim, ctx->job->plan->st->idx, kind);
    double limit = isnan(ctx->app_deadline) ? ctx->deadline
                   : isnan(ctx->deadline)   ? ctx->app_deadline
                   : (ctx->app_deadline <= ctx->deadline ? ctx->app_deadline : ctx->deadline);
    double delay = retry_delay(sim, ctx, &c->mesh, ctx->mesh_attempt, kind, limit);
    if (delay < 0) {
        app_try_failed(sim, ctx, kind);
        return;
    }
    ctx->mesh_attempt += 1;
    if (delay > 0) at(sim, sim->now + delay, EV_PROXY_TRY, ctx, ctx->app_attempt);
    else proxy_try(sim, ctx, ctx->app_attempt);
}

static void call_failed(sim_t *sim, ctx_t *ctx) {
    callplan_t *c = ctx->plan;
    if (c->fallback_target != NULL && !ctx->job->dead) {
        ctx->phase = 1;
        job_t *child = job_new(sim, c->fallback_target, sim->now, ctx, P_CALL);
        if (child == NULL) return;
        ctx->current = child->id;
        submit(sim, child);
        job_decref(sim, child);
    } else {
        call_done(sim, ctx, c->fallback_static);
    }
}

static void app_failed(sim_t *sim, ctx_t *ctx, int kind, int counted) {
    callplan_t *c = ctx->plan;
    if (!counted) failure(sim, ctx->job->plan->st->idx, kind);
    double delay = retry_delay(sim, ctx, &c->app, ctx->app_attempt, kind, ctx->deadline);
    if (delay < 0) {
        call_failed(sim, ctx);
        return;
    }
    ctx->app_attempt += 1;
    if (delay > 0) at(sim, sim->now + delay, EV_APP_TRY, ctx, 0);
    else app_try(sim, ctx);
}

static void call_done(sim_t *sim, ctx_t *ctx, int ok) {
    ctx->phase = 2;
    job_t *job = ctx->job;
    if (job->dead) return;
    if (!ok) job->failed = 1;
    job->pending -= 1;
    if (job->pending == 0) next_step(sim, job);
}

static void mesh_timeout(sim_t *sim, ctx_t *ctx, uint64_t child) {
    if (ctx->phase != 0 || ctx->current != child) return;
    ctx->current = 0;
    proxy_failed(sim, ctx, K_TIMEOUT);
}

static void app_timeout(sim_t *sim, ctx_t *ctx, int64_t attempt) {
    if (ctx->phase != 0 || !ctx->running || ctx->app_attempt != attempt) return;
    ctx->current = 0;
    failure(sim, ctx->job->plan->st->idx, K_TIMEOUT);
    app_try_failed(sim, ctx, K_TIMEOUT);
}

static void deadline(sim_t *sim, ctx_t *ctx) {
    if (ctx->phase != 0) return;
    if (ctx->running) {
        ctx->current = 0;
        ctx->running = 0;
        release(sim, ctx);
        if (ctx->plan->breaker != NULL) breaker_record(ctx->plan->breaker, sim->now, 0);
    } else if (ctx->plan->bulkhead != NULL && !ctx->in_bulkhead && ctx->waiting) {
        wait_remove(ctx->plan->bulkhead, ctx); /* it gives up its place in the queue */
        ctx_decref(sim, ctx);
    }
    failure(sim, ctx->job->plan->st->idx, K_DEADLINE);
    call_failed(sim, ctx);
}

/* ------------------------------------------------------------------ topics */

static void pump(sim_t *sim, tgroup_t *g) {
    while (!g->paused && g->backlog > 0 && g->in_flight < g->partitions && !sim->error) {
        g->backlog -= 1;
        g->in_flight += 1;
        job_t *j = job_new(sim, g->plan, sim->now, g, P_CONSUMER);
        if (j == NULL) return;
        submit(sim, j);
        job_decref(sim, j);
    }
}

/* ------------------------------------------------------------------ traffic */

static void restart(sim_t *sim, entry_t *ep) {
    ep->token += 1;
    double rate = ep->base * ep->mult;
    if (rate > 0) at(sim, sim->now + rng_exp(sim->rng) / rate, EV_ARRIVE, ep, ep->token);
}

static void arrive(sim_t *sim, entry_t *ep, int64_t token) {
    if (token != ep->token) return;
    double now = sim->now;
    int64_t b = sim->bk;
    E_(ep->series, E_ARR, b) += 1;
    if (ep->limiter != NULL && !bucket_take(ep->limiter, now)) {
        E_(ep->series, E_ERR, b) += 1;
        E_(ep->series, E_REJ, b) += 1;
    } else {
        job_t *j = job_new(sim, ep->plan, now, ep, P_ENTRY);
        if (j == NULL) return;
        submit(sim, j);
        job_decref(sim, j);
    }
    at(sim, now + rng_exp(sim->rng) / (ep->base * ep->mult), EV_ARRIVE, ep, token);
}

/* ------------------------------------------------------------------ faults */

static void crash(sim_t *sim, station_t *st, replica_t *rep) {
    double now = sim->now;
    touch(st, now);
    rep->up = 0;
    st->capacity -= st->conc;
    st->busy -= rep->busy;
    st->queued -= rep->qlen;
    job_t *active = rep->ahead, *queued = rep->qhead;
    rep->busy = 0;
    rep->qlen = 0;
    rep->ahead = rep->atail = rep->qhead = rep->qtail = NULL;
    refresh_live(sim, st);
    int64_t b = sim->bk;
    for (int pass = 0; pass < 2; pass++) {
        job_t *j = pass == 0 ? active : queued;
        while (j != NULL) {
            job_t *nx = j->next;
            j->prev = j->next = NULL;
            j->dead = 1;
            S_(st->idx, SF_ERR, b) += 1;
            reply(sim, j, 0, pass == 0 ? K_RESET : K_UNAVAILABLE);
            job_decref(sim, j); /* the list's */
            j = nx;
        }
    }
}

static void fault(sim_t *sim, int64_t k, int on) {
    fault_t *ev = &sim->fault[k];
    station_t *st = ev->st >= 0 ? &sim->st[ev->st] : NULL;
    if (ev->action == A_CRASH && st != NULL) {
        if (on) {
            int64_t n = st->nlive, m = ev->replicas > 0 && ev->replicas < n ? ev->replicas : n;
            free(ev->crashed);
            ev->crashed = malloc((size_t)(m + 1) * sizeof(replica_t *));
            if (ev->crashed == NULL) {
                sim->error = -1;
                return;
            }
            memcpy(ev->crashed, st->live + (n - m), (size_t)m * sizeof(replica_t *));
            ev->ncrashed = m;
            for (int64_t i = 0; i < m; i++) crash(sim, st, ev->crashed[i]);
        } else {
            touch(st, sim->now);
            for (int64_t i = 0; i < ev->ncrashed; i++) {
                ev->crashed[i]->up = 1;
                st->capacity += st->conc;
            }
            ev->ncrashed = 0;
            refresh_live(sim, st);
        }
    } else if (ev->action == A_LATENCY && st != NULL) {
        st->add += on ? ev->add : -ev->add;
    } else if (ev->action == A_ERRORS && st != NULL) {
        double x = st->chaos_err + (on ? ev->rate : -ev->rate) / 100.0;
        st->chaos_err = x < 1.0 ? x : 1.0;
        if (!(st->chaos_err > 0.0)) st->chaos_err = 0.0;
    } else if (ev->action == A_SLOW && st != NULL) {
        st->slow = on ? st->slow * ev->factor : st->slow / ev->factor;
    } else if (ev->action == A_PARTITION) {
        if (ev->b0 >= 0 && ev->b1 >= 0) {
            int64_t d = on ? 1 : -1;
            sim->partition[ev->b0 * sim->n_st + ev->b1] += d;
            if (ev->b0 != ev->b1) sim->partition[ev->b1 * sim->n_st + ev->b0] += d;
        }
    } else if (ev->action == A_SPIKE) {
        for (int64_t e = 0; e < sim->n_ep; e++) {
            entry_t *ep = &sim->ep[e];
            if (ev->st == -1 || ep->plan->st->idx == ev->st) {
                ep->mult = on ? ep->mult * ev->multiplier : ep->mult / ev->multiplier;
                restart(sim, ep);
            }
        }
    }
}

/* ------------------------------------------------------------------ autoscaling */

static int64_t scale_decision(sim_t *sim, int64_t s, int64_t n, double used, double replica_seconds) {
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *res = PyObject_CallFunction(sim->scale_fn, "LLdd", (long long)s, (long long)n, used,
                                          replica_seconds);
    int64_t out = -1;
    if (res == NULL) sim->error = -2;
    else {
        out = (int64_t)PyLong_AsLongLong(res);
        if (PyErr_Occurred()) sim->error = -2;
        Py_DECREF(res);
    }
    PyGILState_Release(g);
    return out;
}

static void apply_scale(sim_t *sim, station_t *st, int64_t desired) {
    st->scale_pending = 0;
    touch(st, sim->now);
    int64_t n = st->nlive;
    if (desired > n) {
        for (int64_t k = 0; k < desired - n; k++) {
            replica_t *rep = calloc(1, sizeof(replica_t));
            if (rep == NULL || add_chunk(sim, rep) ||
                grow((void **)&st->reps, &st->caprep, st->nrep + 1, sizeof(replica_t *))) {
                sim->error = -1;
                return;
            }
            rep->up = 1;
            st->reps[st->nrep++] = rep;
            st->capacity += st->conc;
        }
    } else {
        int64_t m = n - desired;
        replica_t **tail = malloc((size_t)(m + 1) * sizeof(replica_t *));
        if (tail == NULL) {
            sim->error = -1;
            return;
        }
        memcpy(tail, st->live + desired, (size_t)m * sizeof(replica_t *));
        for (int64_t k = 0; k < m; k++) {
            tail[k]->draining = 1;
            if (tail[k]->busy == 0 && tail[k]->qhead == NULL) retire(sim, st, tail[k]);
        }
        free(tail);
    }
    refresh_live(sim, st);
}

static void autoscale(sim_t *sim) {
    double now = sim->now;
    for (int64_t s = 0; s < sim->n_st && !sim->error; s++) {
        station_t *st = &sim->st[s];
        if (!st->scaled) continue;
        touch(st, now);
        double work0 = st->mark_work, cap0 = st->mark_cap;
        st->mark_work = st->cpu_work;
        st->mark_cap = st->cap_area;
        int64_t n = st->nlive;
        if (n == 0) continue; /* engine.py: no decision without live replicas */
        int64_t desired =
            scale_decision(sim, s, n, st->cpu_work - work0, (st->cap_area - cap0) / (double)st->conc);
        if (desired < 0) continue; /* no utilisation (no CPU request) */
        if (grow((void **)&st->rec_t, &st->rec_capt, st->rec_n + 1, sizeof(double)) ||
            grow((void **)&st->rec_d, &st->rec_capd, st->rec_n + 1, sizeof(int64_t))) {
            sim->error = -1;
            return;
        }
        st->rec_t[st->rec_n] = now;
        st->rec_d[st->rec_n] = desired;
        st->rec_n += 1;
        while (st->rec_head < st->rec_n && st->rec_t[st->rec_head] < now - st->stabilization)
            st->rec_head += 1;
        if (st->scale_pending) continue;
        if (desired > n) {
            st->scale_pending = 1;
            at(sim, now + st->reaction, EV_APPLY_SCALE, st, desired);
        } else {
            int64_t stable = st->rec_d[st->rec_head];
            for (int64_t k = st->rec_head + 1; k < st->rec_n; k++)
                if (st->rec_d[k] > stable) stable = st->rec_d[k];
            if (stable < n) apply_scale(sim, st, stable);
        }
    }
    at(sim, now + sim->autoscale_period, EV_AUTOSCALE, NULL, 0);
}

/* ------------------------------------------------------------------ sampling */

static void sample(sim_t *sim, int64_t b) {
    double now = sim->now;
    double width = now - (double)b * sim->width;
    for (int64_t s = 0; s < sim->n_st; s++) {
        station_t *st = &sim->st[s];
        touch(st, now);
        double dcap = st->cap_area - st->pc;
        S_(s, SF_BUSY, b) = width > 0 ? (st->busy_area - st->pb) / width : 0.0;
        S_(s, SF_UTIL, b) = dcap > 0 ? (st->busy_area - st->pb) / dcap : 0.0;
        S_(s, SF_QUEUE, b) = width > 0 ? (st->queue_area - st->pq) / width : 0.0;
        S_(s, SF_REPLICAS, b) = (double)st->nlive;
        st->pb = st->busy_area;
        st->pq = st->queue_area;
        st->pc = st->cap_area;
    }
    for (int64_t k = 0; k < sim->n_br; k++)
        sim->o_br[k * sim->nb + b] = breaker_current(sim->call[sim->br_call[k]].breaker, now);
    for (int64_t k = 0; k < sim->n_tout; k++)
        sim->o_tp[sim->tout_label[k] * sim->nb + b] = (double)sim->tg[sim->tout_group[k]].backlog;
}

/* ------------------------------------------------------------------ the loop */

static void dispatch_event(sim_t *sim, event_t *e) {
    switch (e->kind) {
    case EV_ARRIVE: arrive(sim, (entry_t *)e->p, e->i); break;
    case EV_SET_RATE: {
        entry_t *ep = &sim->ep[sim->prof_ep[e->i]];
        ep->base = sim->prof_rate[e->i];
        restart(sim, ep);
        break;
    }
    case EV_FAULT: fault(sim, e->i >> 1, (int)(e->i & 1)); break;
    case EV_SAMPLE: sample(sim, e->i); break;
    case EV_AUTOSCALE: autoscale(sim); break;
    case EV_APPLY_SCALE: apply_scale(sim, (station_t *)e->p, e->i); break;
    case EV_WORKED: worked(sim, (job_t *)e->p); break;
    case EV_LOST: reply(sim, (job_t *)e->p, 0, K_CONNECT); break;
    case EV_MESH_TIMEOUT: mesh_timeout(sim, (ctx_t *)e->p, (uint64_t)e->i); break;
    case EV_APP_TIMEOUT: app_timeout(sim, (ctx_t *)e->p, e->i); break;
    case EV_DEADLINE: deadline(sim, (ctx_t *)e->p); break;
    case EV_PROXY_TRY: proxy_try(sim, (ctx_t *)e->p, e->i); break;
    case EV_APP_TRY: app_try(sim, (ctx_t *)e->p); break;
    case EV_RESUME: {
        tgroup_t *g = (tgroup_t *)e->p;
        g->paused = 0;
        pump(sim, g);
        break;
    }
    default: break;
    }
    if (holds_job(e->kind)) job_decref(sim, (job_t *)e->p);
    else if (holds_ctx(e->kind)) ctx_decref(sim, (ctx_t *)e->p);
}

static void run_loop(sim_t *sim) {
    for (int64_t e = 0; e < sim->n_ep; e++) restart(sim, &sim->ep[e]);
    for (int64_t k = 0; k < sim->n_prof; k++) at(sim, sim->prof_at[k], EV_SET_RATE, NULL, k);
    for (int64_t k = 0; k < sim->n_fault; k++) {
        at(sim, sim->fault[k].at, EV_FAULT, NULL, 2 * k + 1);
        if (!isnan(sim->fault[k].end)) at(sim, sim->fault[k].end, EV_FAULT, NULL, 2 * k);
    }
    for (int64_t b = 0; b < sim->nb; b++) {
        double t = (double)(b + 1) * sim->width;
        at(sim, t < sim->duration ? t : sim->duration, EV_SAMPLE, NULL, b);
    }
    if (sim->any_scale) {
        for (int64_t s = 0; s < sim->n_st; s++) {
            station_t *st = &sim->st[s];
            if (grow((void **)&st->rec_t, &st->rec_capt, 1, sizeof(double)) ||
                grow((void **)&st->rec_d, &st->rec_capd, 1, sizeof(int64_t)))
                goto nomem;
            st->rec_t[0] = 0.0;
            st->rec_d[0] = st->nlive;
            st->rec_n = 1;
        }
        at(sim, sim->autoscale_period, EV_AUTOSCALE, NULL, 0);
    }
    uint64_t end_key;
    double end = sim->duration > 0.0 ? sim->duration : 0.0;
    memcpy(&end_key, &end, sizeof end_key);
    while (sim->hn > 0 && !sim->error) {
        if (sim->heap[0].tk > end_key) break;
        event_t e = sim->heap[0];
        heap_pop(sim);
        memcpy(&sim->now, &e.tk, sizeof sim->now);
        int64_t b = (int64_t)(sim->now / sim->width);
        sim->bk = b < sim->nb ? b : sim->nb - 1;
        dispatch_event(sim, &e);
        sim->events += 1;
        if (sim->progress != NULL && sim->events >= sim->next_report) {
            sim->next_report += sim->every;
            PyGILState_STATE g = PyGILState_Ensure();
            PyObject *res = PyObject_CallFunction(sim->progress, "d", sim->now);
            int bad = res == NULL || PyErr_CheckSignals() < 0;
            Py_XDECREF(res);
            PyGILState_Release(g);
            if (bad) sim->error = -2;
        }
    }
    if (!sim->error) seal_bucket(sim, sim->cur_b);
    return;
nomem:
    sim->error = -1;
}

/* ------------------------------------------------------------------ reading the plan */

/* item i of a sequence as a double (None: NAN) or an int; errors are left set for the caller */
static double getd(PyObject *seq, Py_ssize_t i) {
    PyObject *x = PySequence_GetItem(seq, i);
    if (x == NULL) return NAN;
    double v = x == Py_None ? NAN : PyFloat_AsDouble(x);
    Py_DECREF(x);
    return v;
}

static int64_t geti(PyObject *seq, Py_ssize_t i) {
    PyObject *x = PySequence_GetItem(seq, i);
    if (x == NULL) return 0;
    int64_t v = x == Py_None ? -1 : (int64_t)PyLong_AsLongLong(x);
    Py_DECREF(x);
    return v;
}

/* item i, a new reference (NULL with an error set) */
static PyObject *geto(PyObject *seq, Py_ssize_t i) { return PySequence_GetItem(seq, i); }

static void *arena(sim_t *sim, size_t n, size_t item) {
    void *p = calloc(n + 1, item);
    if (p == NULL || add_chunk(sim, p)) {
        free(p);
        PyErr_NoMemory();
        return NULL;
    }
    return p;
}

#define BAD(msg) do { if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, msg); goto fail; } while (0)
#define CHECK_IDX(v, n) do { if ((v) < 0 || (v) >= (n)) BAD("inconsistent simulation plan"); } while (0)

static bucket_t *read_bucket(sim_t *sim, PyObject *o) { /* None or (rate, capacity) */
    if (o == Py_None) return NULL;
    bucket_t *b = arena(sim, 1, sizeof(bucket_t));
    if (b == NULL) return NULL;
    b->rate = getd(o, 0);
    b->capacity = getd(o, 1);
    b->tokens = b->capacity;
    b->last = 0.0;
    return b;
}

static int read_window(sim_t *sim, window_t *w, int64_t width) {
    if (width < 1) width = 1;
    w->width = width;
    w->slot = 0;
    w->a = arena(sim, (size_t)width, sizeof(int64_t));
    w->b = arena(sim, (size_t)width, sizeof(int64_t));
    return w->a == NULL || w->b == NULL ? -1 : 0;
}

static int read_layer(sim_t *sim, layer_t *L, PyObject *o) {
    /* (attempts, per_try, kinds mask, budget, jitter, delays) */
    L->attempts = geti(o, 0);
    L->per_try = getd(o, 1);
    L->kinds = (uint32_t)geti(o, 2);
    L->jitter = (int)geti(o, 4);
    PyObject *b = geto(o, 3), *d = geto(o, 5);
    int rc = -1;
    if (b == NULL || d == NULL) goto out;
    if (b != Py_None) {
        L->budget = arena(sim, 1, sizeof(budget_t));
        if (L->budget == NULL) goto out;
        L->budget->ratio = getd(b, 0);
        L->budget->min_per_second = getd(b, 1);
        L->budget->span = getd(b, 2);
        if (read_window(sim, &L->budget->window, geti(b, 3))) goto out;
    }
    Py_ssize_t nd = PySequence_Size(d);
    if (nd < L->attempts + 1 || L->attempts < 1) {
        PyErr_SetString(PyExc_ValueError, "a retry layer needs attempts + 1 delays");
        goto out;
    }
    L->delays = arena(sim, (size_t)nd, sizeof(double));
    if (L->delays == NULL) goto out;
    for (Py_ssize_t k = 0; k < nd; k++) L->delays[k] = getd(d, k);
    rc = PyErr_Occurred() ? -1 : 0;
out:
    Py_XDECREF(b);
    Py_XDECREF(d);
    return rc;
}

static int read_plan(sim_t *sim, PyObject *spec) {
    PyObject *stations = NULL, *ops = NULL, *calls = NULL, *eps = NULL, *prof = NULL,
             *groups = NULL, *faults = NULL, *brs = NULL, *tops = NULL, *x = NULL, *y = NULL;
    int rc = -1;
    Py_ssize_t k;
    if (!(stations = geto(spec, 0)) || !(ops = geto(spec, 1)) || !(calls = geto(spec, 2)) ||
        !(eps = geto(spec, 3)) || !(prof = geto(spec, 4)) || !(groups = geto(spec, 5)) ||
        !(faults = geto(spec, 6)) || !(brs = geto(spec, 7)) || !(tops = geto(spec, 8)))
        goto fail;
    sim->n_st = PySequence_Size(stations);
    sim->n_op = PySequence_Size(ops);
    sim->n_call = PySequence_Size(calls);
    sim->n_ep = PySequence_Size(eps);
    sim->n_prof = PySequence_Size(prof);
    sim->n_tg = PySequence_Size(groups);
    sim->n_fault = PySequence_Size(faults);
    sim->n_br = PySequence_Size(brs);
    sim->n_tout = PySequence_Size(tops);
    if (PyErr_Occurred()) goto fail;
    if (!(sim->st = arena(sim, (size_t)sim->n_st, sizeof(station_t))) ||
        !(sim->op = arena(sim, (size_t)sim->n_op, sizeof(opplan_t))) ||
        !(sim->call = arena(sim, (size_t)sim->n_call, sizeof(callplan_t))) ||
        !(sim->ep = arena(sim, (size_t)sim->n_ep, sizeof(entry_t))) ||
        !(sim->tg = arena(sim, (size_t)sim->n_tg, sizeof(tgroup_t))) ||
        !(sim->fault = arena(sim, (size_t)sim->n_fault, sizeof(fault_t))) ||
        !(sim->prof_at = arena(sim, (size_t)sim->n_prof, sizeof(double))) ||
        !(sim->prof_rate = arena(sim, (size_t)sim->n_prof, sizeof(double))) ||
        !(sim->prof_ep = arena(sim, (size_t)sim->n_prof, sizeof(int64_t))) ||
        !(sim->br_call = arena(sim, (size_t)sim->n_br, sizeof(int64_t))) ||
        !(sim->tout_group = arena(sim, (size_t)sim->n_tout, sizeof(int64_t))) ||
        !(sim->tout_label = arena(sim, (size_t)sim->n_tout, sizeof(int64_t))) ||
        !(sim->partition = arena(sim, (size_t)(sim->n_st * sim->n_st), sizeof(int64_t))))
        goto fail;
    /* stations: (conc, replicas, qlimit, lb, fail_p, limiter, scale) */
    for (k = 0; k < sim->n_st; k++) {
        station_t *st = &sim->st[k];
        if (!(x = geto(stations, k))) goto fail;
        st->idx = k;
        st->conc = geti(x, 0);
        int64_t n = geti(x, 1);
        st->qlimit = geti(x, 2);
        st->lb = (int)geti(x, 3);
        st->fail_p = getd(x, 4);
        if (PyErr_Occurred() || st->conc < 1 || n < 0 || st->lb < 0 || st->lb > 2)
            BAD("inconsistent simulation plan");
        if (!(y = geto(x, 5))) goto fail;
        st->limiter = read_bucket(sim, y);
        if (PyErr_Occurred()) goto fail;
        Py_CLEAR(y);
        if (!(y = geto(x, 6))) goto fail;
        if (y != Py_None) {
            st->scaled = 1;
            sim->any_scale = 1;
            st->reaction = getd(y, 0);
            st->stabilization = getd(y, 1);
        }
        Py_CLEAR(y);
        Py_CLEAR(x);
        st->caprep = n + 1;
        if (!(st->reps = malloc((size_t)st->caprep * sizeof(replica_t *)))) {
            PyErr_NoMemory();
            goto fail;
        }
        for (int64_t r = 0; r < n; r++) {
            replica_t *rep = arena(sim, 1, sizeof(replica_t));
            if (rep == NULL) goto fail;
            rep->up = 1;
            st->reps[r] = rep;
        }
        st->nrep = n;
        st->rr = -1;
        st->capacity = n * st->conc;
        st->slow = 1.0;
        refresh_live(sim, st);
        if (sim->error) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    /* consumer groups: (op, partitions, dead letter groups or None) */
    for (k = 0; k < sim->n_tg; k++) {
        tgroup_t *g = &sim->tg[k];
        if (!(x = geto(groups, k))) goto fail;
        int64_t o = geti(x, 0);
        CHECK_IDX(o, sim->n_op);
        g->plan = &sim->op[o];
        g->partitions = geti(x, 1);
        if (!(y = geto(x, 2))) goto fail;
        if (y != Py_None) {
            g->has_dl = 1;
            g->ndl = PySequence_Size(y);
            if (!(g->dl = arena(sim, (size_t)g->ndl, sizeof(tgroup_t *)))) goto fail;
            for (Py_ssize_t i = 0; i < g->ndl; i++) {
                int64_t d = geti(y, i);
                CHECK_IDX(d, sim->n_tg);
                g->dl[i] = &sim->tg[d];
            }
        }
        Py_CLEAR(y);
        Py_CLEAR(x);
    }
    /* calls: (target, caller, callee, copies, frac, timeout, app, mesh, breaker, bulkhead,
     *         limiter, fallback target, fallback static) */
    for (k = 0; k < sim->n_call; k++) {
        callplan_t *c = &sim->call[k];
        if (!(x = geto(calls, k))) goto fail;
        int64_t t = geti(x, 0);
        CHECK_IDX(t, sim->n_op);
        c->target = &sim->op[t];
        c->caller = geti(x, 1);
        c->callee = geti(x, 2);
        CHECK_IDX(c->caller, sim->n_st);
        CHECK_IDX(c->callee, sim->n_st);
        c->copies = geti(x, 3);
        c->frac = getd(x, 4);
        c->timeout = getd(x, 5);
        for (int layer = 0; layer < 2; layer++) {
            if (!(y = geto(x, 6 + layer))) goto fail;
            if (read_layer(sim, layer == 0 ? &c->app : &c->mesh, y)) goto fail;
            Py_CLEAR(y);
        }
        if (!(y = geto(x, 8))) goto fail;
        if (y != Py_None) { /* (consecutive or -1, error rate or None, min, open_for, half, width) */
            breaker_t *b = arena(sim, 1, sizeof(breaker_t));
            if (b == NULL) goto fail;
            b->consecutive_limit = geti(y, 0);
            b->error_rate = getd(y, 1);
            b->min_requests = geti(y, 2);
            b->open_for = getd(y, 3);
            b->half_open_requests = geti(y, 4);
            if (read_window(sim, &b->window, geti(y, 5))) goto fail;
            c->breaker = b;
        }
        Py_CLEAR(y);
        if (!(y = geto(x, 9))) goto fail;
        if (y != Py_None) {
            bulkhead_t *b = arena(sim, 1, sizeof(bulkhead_t));
            if (b == NULL) goto fail;
            b->max_concurrent = geti(y, 0);
            b->max_queue = geti(y, 1);
            c->bulkhead = b;
        }
        Py_CLEAR(y);
        if (!(y = geto(x, 10))) goto fail;
        c->limiter = read_bucket(sim, y);
        Py_CLEAR(y);
        int64_t fb = geti(x, 11);
        if (fb >= 0) {
            CHECK_IDX(fb, sim->n_op);
            c->fallback_target = &sim->op[fb];
        }
        c->fallback_static = (int)geti(x, 12);
        if (PyErr_Occurred()) goto fail;
        Py_CLEAR(x);
    }
    /* operations: (station, kind, a, b, [(parallel, [call])], fractional, [group]) */
    for (k = 0; k < sim->n_op; k++) {
        opplan_t *p = &sim->op[k];
        if (!(x = geto(ops, k))) goto fail;
        int64_t s = geti(x, 0);
        CHECK_IDX(s, sim->n_st);
        p->st = &sim->st[s];
        p->kind = (int)geti(x, 1);
        p->a = getd(x, 2);
        p->b = getd(x, 3);
        if (p->kind < 0 || p->kind > 2) BAD("inconsistent simulation plan");
        p->fractional = (int)geti(x, 5);
        if (!(y = geto(x, 4))) goto fail;
        p->ngroups = PySequence_Size(y);
        int64_t ncalls = 0;
        for (Py_ssize_t g = 0; g < p->ngroups; g++) {
            PyObject *grp = geto(y, g), *cs = grp ? geto(grp, 1) : NULL;
            if (cs == NULL) {
                Py_XDECREF(grp);
                goto fail;
            }
            ncalls += PySequence_Size(cs);
            Py_DECREF(cs);
            Py_DECREF(grp);
        }
        if (!(p->g_parallel = arena(sim, (size_t)p->ngroups, sizeof(int))) ||
            !(p->g_first = arena(sim, (size_t)p->ngroups, sizeof(int64_t))) ||
            !(p->g_last = arena(sim, (size_t)p->ngroups, sizeof(int64_t))) ||
            !(p->calls = arena(sim, (size_t)ncalls, sizeof(callplan_t *))))
            goto fail;
        int64_t at_ = 0;
        for (Py_ssize_t g = 0; g < p->ngroups; g++) {
            PyObject *grp = geto(y, g), *cs = grp ? geto(grp, 1) : NULL;
            if (cs == NULL) {
                Py_XDECREF(grp);
                goto fail;
            }
            p->g_parallel[g] = (int)geti(grp, 0);
            p->g_first[g] = at_;
            Py_ssize_t m = PySequence_Size(cs);
            for (Py_ssize_t i = 0; i < m; i++) {
                int64_t ci = geti(cs, i);
                if (ci < 0 || ci >= sim->n_call) {
                    Py_DECREF(cs);
                    Py_DECREF(grp);
                    BAD("inconsistent simulation plan");
                }
                p->calls[at_++] = &sim->call[ci];
            }
            p->g_last[g] = at_;
            Py_DECREF(cs);
            Py_DECREF(grp);
            if (m == 0) BAD("a call group without calls");
        }
        Py_CLEAR(y);
        if (!(y = geto(x, 6))) goto fail;
        p->npub = PySequence_Size(y);
        if (!(p->publishes = arena(sim, (size_t)p->npub, sizeof(tgroup_t *)))) goto fail;
        for (Py_ssize_t i = 0; i < p->npub; i++) {
            int64_t gi = geti(y, i);
            CHECK_IDX(gi, sim->n_tg);
            p->publishes[i] = &sim->tg[gi];
        }
        Py_CLEAR(y);
        Py_CLEAR(x);
        if (!p->fractional) {
            if (make_steps(sim, p, 0, &p->s_flat, &p->s_bound, &p->s_n) ||
                add_chunk(sim, p->s_flat) || add_chunk(sim, p->s_bound)) {
                PyErr_NoMemory();
                goto fail;
            }
        }
    }
    /* entrypoints: (op, rate, limiter, series) */
    for (k = 0; k < sim->n_ep; k++) {
        entry_t *e = &sim->ep[k];
        if (!(x = geto(eps, k))) goto fail;
        int64_t o = geti(x, 0);
        CHECK_IDX(o, sim->n_op);
        e->plan = &sim->op[o];
        e->base = getd(x, 1);
        e->mult = 1.0;
        if (!(y = geto(x, 2))) goto fail;
        e->limiter = read_bucket(sim, y);
        Py_CLEAR(y);
        e->series = geti(x, 3);
        CHECK_IDX(e->series, sim->n_series);
        if (PyErr_Occurred() || !(e->base >= 0)) BAD("inconsistent simulation plan");
        Py_CLEAR(x);
    }
    for (k = 0; k < sim->n_prof; k++) { /* (at, entry, rate) */
        if (!(x = geto(prof, k))) goto fail;
        sim->prof_at[k] = getd(x, 0);
        sim->prof_ep[k] = geti(x, 1);
        sim->prof_rate[k] = getd(x, 2);
        CHECK_IDX(sim->prof_ep[k], sim->n_ep);
        Py_CLEAR(x);
    }
    /* faults: (at, end, action, station, replicas, add, rate, factor, b0, b1, multiplier) */
    for (k = 0; k < sim->n_fault; k++) {
        fault_t *f = &sim->fault[k];
        if (!(x = geto(faults, k))) goto fail;
        f->at = getd(x, 0);
        f->end = getd(x, 1);
        f->action = (int)geti(x, 2);
        f->st = geti(x, 3);
        f->replicas = geti(x, 4);
        f->add = getd(x, 5);
        f->rate = getd(x, 6);
        f->factor = getd(x, 7);
        f->b0 = geti(x, 8);
        f->b1 = geti(x, 9);
        f->multiplier = getd(x, 10);
        if (f->st >= sim->n_st || f->b0 >= sim->n_st || f->b1 >= sim->n_st || f->action < 0 ||
            f->action > A_SPIKE)
            BAD("inconsistent simulation plan");
        Py_CLEAR(x);
    }
    for (k = 0; k < sim->n_br; k++) {
        sim->br_call[k] = geti(brs, k);
        CHECK_IDX(sim->br_call[k], sim->n_call);
        if (sim->call[sim->br_call[k]].breaker == NULL) BAD("a recorded breaker without a breaker");
    }
    for (k = 0; k < sim->n_tout; k++) { /* (group, label) */
        if (!(x = geto(tops, k))) goto fail;
        sim->tout_group[k] = geti(x, 0);
        sim->tout_label[k] = geti(x, 1);
        CHECK_IDX(sim->tout_group[k], sim->n_tg);
        Py_CLEAR(x);
    }
    rc = PyErr_Occurred() ? -1 : 0;
fail:
    Py_XDECREF(x);
    Py_XDECREF(y);
    Py_XDECREF(stations); Py_XDECREF(ops); Py_XDECREF(calls); Py_XDECREF(eps); Py_XDECREF(prof);
    Py_XDECREF(groups); Py_XDECREF(faults); Py_XDECREF(brs); Py_XDECREF(tops);
    return rc;
}

static void sim_free(sim_t *sim) {
    for (int64_t c = 0; c < sim->njchunks; c++)
        for (int k = 0; k < CHUNK; k++) {
            job_t *j = &sim->job_chunks[c][k];
            if (j->rc > 0 && j->owned) {
                free(j->flat);
                free(j->bound);
            }
        }
    for (int64_t s = 0; sim->st != NULL && s < sim->n_st; s++) {
        free(sim->st[s].reps);
        free(sim->st[s].live);
        free(sim->st[s].rec_t);
        free(sim->st[s].rec_d);
    }
    for (int64_t f = 0; sim->fault != NULL && f < sim->n_fault; f++) free(sim->fault[f].crashed);
    for (int64_t c = 0; c < sim->nchunks; c++) free(sim->chunks[c]);
    free(sim->chunks);
    free(sim->job_chunks);
    free(sim->heap);
    free(sim->cur_v);
    free(sim->cur_n);
    free(sim->rng);
    free(sim->lat_rng);
    free(sim->lat.count);
    free(sim->lat.val);
}

/* ------------------------------------------------------------------ Python entry */

static PyObject *as_bytes(const void *p, int64_t n, size_t item) {
    return PyBytes_FromStringAndSize(n > 0 ? (const char *)p : "", (Py_ssize_t)(n * (int64_t)item));
}

static double *out_buf(Py_buffer *b, PyObject *o, int64_t n, const char *name) {
    if (PyObject_GetBuffer(o, b, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE) < 0) return NULL;
    if (b->itemsize != 8 || b->format == NULL || b->format[0] != 'd' || b->len != n * 8) {
        PyBuffer_Release(b);
        PyErr_Format(PyExc_ValueError, "output %s: %lld float64 expected", name, (long long)n);
        return NULL;
    }
    return (double *)b->buf;
}

PyDoc_STRVAR(run_doc,
"run(seed, duration, width, nb, lat_cap, constants, plan, outputs, scale=None, progress=None,\n"
"    every=1<<20) -> (events, counts, latencies)\n\n"
"Simulate the flattened plan (see meshwright.simulate.compiled). constants: (connect timeout,\n"
"autoscale period, redelivery delay, series, topic labels); outputs: five writable float64\n"
"arrays (services x 11 x nb, series x 4 x nb, services x 11 failure kinds, breakers x nb,\n"
"topic labels x nb), zeroed by the caller. scale(station, replicas, cpu seconds, replica\n"
"seconds) -> desired replicas or -1 is the autoscaler's decision. counts: int64 bytes,\n"
"nb x groups (services, then entrypoint series) kept latencies; latencies: float64 bytes,\n"
"those latencies bucket by bucket, each bucket group by group.");

static PyObject *py_run(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *kwlist[] = {"seed", "duration", "width", "nb", "lat_cap", "constants", "plan",
                             "outputs", "scale", "progress", "every", NULL};
    unsigned long long seed;
    double duration, width;
    long long nb, lat_cap, every = 1 << 20;
    PyObject *constants, *plan, *outputs, *scale = Py_None, *progress = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "KddLLOOO|OOL", kwlist, &seed, &duration, &width,
                                     &nb, &lat_cap, &constants, &plan, &outputs, &scale, &progress,
                                     &every))
        return NULL;
    if (nb < 1 || lat_cap < 1 || every < 1 || !(width > 0) || !(duration >= 0)) {
        PyErr_SetString(PyExc_ValueError, "nb, lat_cap, every and width must be positive");
        return NULL;
    }
    sim_t S;
    sim_t *sim = &S;
    memset(sim, 0, sizeof S);
    Py_buffer bufs[5];
    int held = 0;
    PyObject *result = NULL;
    sim->duration = duration;
    sim->width = width;
    sim->nb = nb;
    sim->lat_cap = lat_cap;
    sim->every = every;
    sim->next_report = every;
    sim->connect_timeout = getd(constants, 0);
    sim->autoscale_period = getd(constants, 1);
    sim->redelivery_delay = getd(constants, 2);
    sim->n_series = geti(constants, 3);
    int64_t n_tlabels = geti(constants, 4);
    if (PyErr_Occurred()) return NULL;
    sim->rng = malloc(sizeof(rng_t));
    sim->lat_rng = malloc(sizeof(rng_t));
    if (sim->rng == NULL || sim->lat_rng == NULL) {
        PyErr_NoMemory();
        goto out;
    }
    rng_seed(sim->rng, seed);
    rng_seed(sim->lat_rng, seed ^ 0x5DEECE66DULL);
    if (read_plan(sim, plan)) goto out;
    if (sim->any_scale && scale == Py_None) {
        PyErr_SetString(PyExc_ValueError, "an autoscaled station needs the scale callable");
        goto out;
    }
    sim->scale_fn = scale == Py_None ? NULL : scale;
    sim->progress = progress == Py_None ? NULL : progress;
    int64_t sizes[5] = {sim->n_st * N_SFIELDS * nb, sim->n_series * N_EFIELDS * nb,
                        sim->n_st * N_KINDS, sim->n_br * nb, n_tlabels * nb};
    static const char *names[5] = {"services", "entrypoints", "failures", "breakers", "topics"};
    double **targets[5] = {&sim->o_st, &sim->o_ep, &sim->o_fail, &sim->o_br, &sim->o_tp};
    if (PySequence_Size(outputs) != 5) {
        PyErr_SetString(PyExc_ValueError, "outputs: five arrays expected");
        goto out;
    }
    for (; held < 5; held++) {
        PyObject *o = PySequence_GetItem(outputs, held);
        if (o == NULL) goto out;
        *targets[held] = out_buf(&bufs[held], o, sizes[held], names[held]);
        Py_DECREF(o);
        if (*targets[held] == NULL) goto out;
    }
    for (int64_t k = 0; k < sim->n_tout; k++)
        if (sim->tout_label[k] < 0 || sim->tout_label[k] >= n_tlabels) {
            PyErr_SetString(PyExc_ValueError, "inconsistent simulation plan");
            goto out;
        }
    sim->n_grp = sim->n_st + sim->n_series;
    sim->cur_v = malloc((size_t)(sim->n_grp * lat_cap + 1) * sizeof(double));
    sim->cur_n = calloc((size_t)(sim->n_grp + 1), sizeof(int64_t));
    sim->lat.count = calloc((size_t)(sim->n_grp * nb + 1), sizeof(int64_t));
    if (sim->cur_v == NULL || sim->cur_n == NULL || sim->lat.count == NULL) {
        PyErr_NoMemory();
        goto out;
    }
    Py_BEGIN_ALLOW_THREADS
    run_loop(sim);
    Py_END_ALLOW_THREADS
    if (sim->error == -1) {
        PyErr_NoMemory();
        goto out;
    }
    if (sim->error == -2) goto out;
    result = Py_BuildValue("(LNN)", (long long)sim->events,
                           as_bytes(sim->lat.count, sim->n_grp * nb, sizeof(int64_t)),
                           as_bytes(sim->lat.val, sim->lat.n, sizeof(double)));
out:
    for (int i = 0; i < held; i++) PyBuffer_Release(&bufs[i]);
    sim_free(sim);
    return result;
}

/* ------------------------------------------------------------------ Random */

typedef struct {
    PyObject_HEAD
    rng_t *r;
} RandomObject;

static int Random_init(RandomObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"seed", NULL};
    unsigned long long seed;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "K", kwlist, &seed)) return -1;
    if (self->r == NULL) self->r = malloc(sizeof(rng_t));
    if (self->r == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    rng_seed(self->r, seed);
    return 0;
}

static void Random_dealloc(RandomObject *self) {
    free(self->r);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Random_exp(RandomObject *self, PyObject *Py_UNUSED(a)) {
    return PyFloat_FromDouble(rng_exp(self->r));
}

static PyObject *Random_uniform(RandomObject *self, PyObject *Py_UNUSED(a)) {
    return PyFloat_FromDouble(rng_uniform(self->r));
}

static PyObject *Random_normal(RandomObject *self, PyObject *Py_UNUSED(a)) {
    return PyFloat_FromDouble(rng_normal(self->r));
}

static PyMethodDef Random_methods[] = {
    {"exp", (PyCFunction)Random_exp, METH_NOARGS, "A standard exponential (mean 1)."},
    {"uniform", (PyCFunction)Random_uniform, METH_NOARGS, "A uniform on [0, 1)."},
    {"normal", (PyCFunction)Random_normal, METH_NOARGS, "A standard normal."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject RandomType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "meshwright.simulate._simcore.Random",
    .tp_doc = "Random(seed): the core's generator (xoshiro256++), drawn in blocks of 16384\n"
              "exponentials, uniforms and normals, exactly as the compiled engine draws.",
    .tp_basicsize = sizeof(RandomObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Random_init,
    .tp_dealloc = (destructor)Random_dealloc,
    .tp_methods = Random_methods,
};

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
    if (PyType_Ready(&RandomType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&RandomType);
    if (PyModule_AddObject(m, "Random", (PyObject *)&RandomType) < 0 ||
        PyModule_AddIntConstant(m, "BLOCK", BLOCK) < 0) {
        Py_DECREF(&RandomType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
