// streams.cpp — streams, events, stream capture and graphs, and adlmock_enqueue.
// Streams are in order and work runs when it is enqueued (one legal schedule of an in-order
// stream); a capturing stream records the work instead (by value) into its graph, and
// cuGraphLaunch replays a graph's work in order. Behaviour from the CUDA Driver API reference:
// Stream Management, Event Management, Graph Management (per function below); the capture modes
// from cuThreadExchangeStreamCaptureMode's description; what capture forbids and how a capture is
// invalidated (later work on the stream: CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture
// gives that error and no graph) from the CUDA C++ Programming Guide, "CUDA Graphs", sections
// "Prohibited and Unhandled Operations" and "Invalidation".
#include "mock.hpp"
#include <chrono>
#include <cstdio>

namespace adlmock {

static Stream g_legacy;                                    // the NULL stream (CU_STREAM_LEGACY)
static std::set<Stream *> g_streams;
struct Event { unsigned flags; bool recorded = false, captured = false; double ms = 0; };
static std::set<Event *> g_events;
static std::set<Graph *> g_graphs;
static std::set<GraphExec *> g_execs;

static double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

Stream *stream_of(CUstream s, CUresult *err) {
    if (s == nullptr || s == CU_STREAM_LEGACY) return &g_legacy;
    Stream *st = reinterpret_cast<Stream *>(s);
    if (g_streams.count(st) == 0) { *err = CUDA_ERROR_INVALID_HANDLE; return nullptr; }
    return st;
}

static void invalidate(Stream *st, const char *what) {
    if (!st->invalidated) adlmock_report("%s during stream capture: the capture is invalidated", what);
    st->invalidated = true;
}

bool any_capture_active() {
    for (Stream *st : g_streams) if (st->capturing) return true;
    return false;
}

CUresult unsafe_during_capture(const char *what) {
    CUresult r = CUDA_SUCCESS;
    uint64_t me = this_thread_id();
    for (Stream *st : g_streams) {
        if (!st->capturing) continue;
        bool prohibited = st->mode == CU_STREAM_CAPTURE_MODE_GLOBAL
                || (st->mode == CU_STREAM_CAPTURE_MODE_THREAD_LOCAL && st->capture_thread == me);
        if (prohibited) { invalidate(st, what); r = CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED; }
    }
    return r;
}

CUresult conflicts_with_capture(const char *what) {
    CUresult r = CUDA_SUCCESS;
    for (Stream *st : g_streams)
        if (st->capturing) { invalidate(st, what); r = CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED; }
    return r;
}

// Work on the legacy stream waits for the blocking streams; if one of them is capturing, that
// would make the legacy stream depend on captured work: CUDA_ERROR_STREAM_CAPTURE_IMPLICIT.
static CUresult legacy_conflict(const char *what) {
    CUresult r = CUDA_SUCCESS;
    for (Stream *st : g_streams)
        if (st->capturing && !(st->flags & CU_STREAM_NON_BLOCKING)) { invalidate(st, what); r = CUDA_ERROR_STREAM_CAPTURE_IMPLICIT; }
    return r;
}

static CUresult run_now(const std::shared_ptr<Work> &w) {
    if (g_ctx.sticky != CUDA_SUCCESS) return g_ctx.sticky;
    w->run(w->arg);
    return g_ctx.sticky;
}

CUresult enqueue(CUstream s, std::shared_ptr<Work> w) {
    CUresult r = CUDA_SUCCESS;
    Stream *st = stream_of(s, &r);
    if (!st) return r;
    if (st == &g_legacy && (r = legacy_conflict(w->what.c_str())) != CUDA_SUCCESS) return r;
    if (st->capturing) {
        if (st->invalidated) return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
        st->graph->nodes.push_back(std::move(w));
        return CUDA_SUCCESS;
    }
    return run_now(w);
}

void release_streams_and_graphs() {
    for (Stream *st : g_streams) { delete st->graph; delete st; }
    g_streams.clear();
    for (Event *e : g_events) delete e;
    g_events.clear();
    for (GraphExec *x : g_execs) delete x;
    g_execs.clear();
    for (Graph *gr : g_graphs) delete gr;
    g_graphs.clear();
}

} // namespace adlmock

using namespace adlmock;

extern "C" {

CUresult adlmock_enqueue(CUstream s, const char *what, adlmock_fn run, void *arg, adlmock_fn release) {
    Guard g(g_lock);
    auto w = std::make_shared<Work>(what ? what : "adlmock_enqueue", run, arg, release);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;       // w releases arg
    return enqueue(s, std::move(w));
}

int adlmock_stream_capturing(CUstream s) {
    Guard g(g_lock);
    CUresult r = CUDA_SUCCESS;
    Stream *st = stream_of(s, &r);
    return st && st->capturing ? 1 : 0;
}

// Stream Management: cuStreamCreate — Flags: CU_STREAM_DEFAULT or CU_STREAM_NON_BLOCKING.
CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (!phStream || (Flags & ~(unsigned) CU_STREAM_NON_BLOCKING)) return CUDA_ERROR_INVALID_VALUE;
    Stream *st = new Stream();
    st->flags = Flags;
    g_streams.insert(st);
    *phStream = reinterpret_cast<CUstream>(st);
    return CUDA_SUCCESS;
}

// Stream Management: cuStreamSynchronize — returns an error of a previous asynchronous launch.
// Synchronising a capturing stream is not permitted (CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED; the
// capture is invalidated); nor is synchronising the legacy stream while a blocking stream captures.
CUresult cuStreamSynchronize(CUstream hStream) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    Stream *st = stream_of(hStream, &r);
    if (!st) return r;
    if (st->capturing) { invalidate(st, "cuStreamSynchronize"); return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED; }
    if (st == &g_legacy && (r = legacy_conflict("cuStreamSynchronize")) != CUDA_SUCCESS) return r;
    return g_ctx.sticky;
}

// Stream Management: cuStreamDestroy — work already enqueued completes (it has, here).
CUresult cuStreamDestroy_v2(CUstream hStream) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS && r != g_ctx.sticky) return r;
    Stream *st = reinterpret_cast<Stream *>(hStream);
    if (!hStream || g_streams.erase(st) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (st->capturing) adlmock_report("cuStreamDestroy_v2: the stream was still capturing; its capture is discarded");
    delete st->graph;
    delete st;
    return CUDA_SUCCESS;
}

// Event Management: cuEventCreate — Flags: CU_EVENT_BLOCKING_SYNC, _DISABLE_TIMING, _INTERPROCESS.
CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (!phEvent || (Flags & ~(unsigned) (CU_EVENT_BLOCKING_SYNC | CU_EVENT_DISABLE_TIMING | CU_EVENT_INTERPROCESS)))
        return CUDA_ERROR_INVALID_VALUE;
    Event *e = new Event{Flags};
    g_events.insert(e);
    *phEvent = reinterpret_cast<CUevent>(e);
    return CUDA_SUCCESS;
}

namespace {
struct EventRecord { Event *e; };
void run_event_record(void *a) {
    Event *e = static_cast<EventRecord *>(a)->e;
    if (g_events.count(e)) { e->recorded = true; e->ms = now_ms(); }
}
void release_event_record(void *a) { delete static_cast<EventRecord *>(a); }
} // namespace

// Event Management: cuEventRecord — captures the stream's work so far; the event completes (and
// takes its time) when that work has run. In a capturing stream it becomes a captured event.
CUresult cuEventRecord(CUevent hEvent, CUstream hStream) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    Event *e = reinterpret_cast<Event *>(hEvent);
    if (!g_events.count(e)) return CUDA_ERROR_INVALID_HANDLE;
    Stream *st = stream_of(hStream, &r);
    if (!st) return r;
    e->captured = st->capturing;
    return enqueue(hStream, std::make_shared<Work>("cuEventRecord", run_event_record, new EventRecord{e}, release_event_record));
}

// Event Management: cuEventSynchronize — returns at once for an event never recorded; an event
// last recorded in a capturing stream gives CUDA_ERROR_CAPTURED_EVENT.
CUresult cuEventSynchronize(CUevent hEvent) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    Event *e = reinterpret_cast<Event *>(hEvent);
    if (!g_events.count(e)) return CUDA_ERROR_INVALID_HANDLE;
    if (e->captured) return CUDA_ERROR_CAPTURED_EVENT;
    return g_ctx.sticky;
}

// Event Management: cuEventElapsedTime (_v2) — milliseconds between two completed events;
// CUDA_ERROR_INVALID_HANDLE when either was not recorded or has timing disabled.
CUresult cuEventElapsedTime_v2(float *pMilliseconds, CUevent hStart, CUevent hEnd) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (!pMilliseconds) return CUDA_ERROR_INVALID_VALUE;
    Event *a = reinterpret_cast<Event *>(hStart), *b = reinterpret_cast<Event *>(hEnd);
    if (!g_events.count(a) || !g_events.count(b)) return CUDA_ERROR_INVALID_HANDLE;
    if (a->captured || b->captured) return CUDA_ERROR_CAPTURED_EVENT;
    if (!a->recorded || !b->recorded || ((a->flags | b->flags) & CU_EVENT_DISABLE_TIMING)) return CUDA_ERROR_INVALID_HANDLE;
    *pMilliseconds = (float) (b->ms - a->ms);
    return CUDA_SUCCESS;
}

CUresult cuEventDestroy_v2(CUevent hEvent) {
    Guard g(g_lock);
    if (!initialized()) return CUDA_ERROR_NOT_INITIALIZED;
    Event *e = reinterpret_cast<Event *>(hEvent);
    if (g_events.erase(e) == 0) return CUDA_ERROR_INVALID_HANDLE;
    delete e;
    return CUDA_SUCCESS;
}

// Stream Management: cuStreamBeginCapture (_v2) — the legacy stream cannot be captured
// (CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED); a stream already capturing gives CUDA_ERROR_ILLEGAL_STATE.
CUresult cuStreamBeginCapture_v2(CUstream hStream, CUstreamCaptureMode mode) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    Stream *st = stream_of(hStream, &r);
    if (!st) return r;
    if (st == &g_legacy) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    if ((unsigned) mode > CU_STREAM_CAPTURE_MODE_RELAXED) return CUDA_ERROR_INVALID_VALUE;
    if (st->capturing) return CUDA_ERROR_ILLEGAL_STATE;
    st->capturing = true;
    st->invalidated = false;
    st->mode = mode;
    st->capture_thread = this_thread_id();
    st->graph = new Graph();
    return CUDA_SUCCESS;
}

// Stream Management: cuStreamEndCapture — ends the capture and returns its graph; a capture not
// begun gives CUDA_ERROR_ILLEGAL_STATE, a global/thread-local capture ended from another thread
// CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD, an invalidated capture CUDA_ERROR_STREAM_CAPTURE_INVALIDATED
// with *phGraph = NULL (the capture is over either way).
CUresult cuStreamEndCapture(CUstream hStream, CUgraph *phGraph) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS && r != g_ctx.sticky) return r;
    Stream *st = stream_of(hStream, &r);
    if (!st) return r;
    if (!phGraph) return CUDA_ERROR_INVALID_VALUE;
    if (!st->capturing) return CUDA_ERROR_ILLEGAL_STATE;
    if (st->mode != CU_STREAM_CAPTURE_MODE_RELAXED && st->capture_thread != this_thread_id())
        return CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD;
    Graph *graph = st->graph;
    st->graph = nullptr;
    st->capturing = false;
    if (st->invalidated) {
        st->invalidated = false;
        delete graph;
        *phGraph = nullptr;
        return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
    }
    g_graphs.insert(graph);
    *phGraph = reinterpret_cast<CUgraph>(graph);
    return CUDA_SUCCESS;
}

// Graph Management: cuGraphInstantiateWithFlags — an executable graph independent of hGraph (which
// may be destroyed first); flags: CUDA_GRAPH_INSTANTIATE_FLAG_* bits.
CUresult cuGraphInstantiateWithFlags(CUgraphExec *phGraphExec, CUgraph hGraph, unsigned long long flags) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    Graph *gr = reinterpret_cast<Graph *>(hGraph);
    if (!phGraphExec || !g_graphs.count(gr)) return CUDA_ERROR_INVALID_VALUE;
    if (flags & ~0xFull) return CUDA_ERROR_INVALID_VALUE;
    GraphExec *x = new GraphExec{gr->nodes};
    g_execs.insert(x);
    *phGraphExec = reinterpret_cast<CUgraphExec>(x);
    return CUDA_SUCCESS;
}

namespace {
struct Replay { std::shared_ptr<WorkList> nodes; };
void run_replay(void *a) {
    for (const auto &w : *static_cast<Replay *>(a)->nodes) {
        if (g_ctx.sticky != CUDA_SUCCESS) return;
        w->run(w->arg);
    }
}
void release_replay(void *a) { delete static_cast<Replay *>(a); }
} // namespace

// Graph Management: cuGraphLaunch — runs the graph's work in order on hStream (recorded as one
// unit when hStream is capturing).
CUresult cuGraphLaunch(CUgraphExec hGraphExec, CUstream hStream) {
    Guard g(g_lock);
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    GraphExec *x = reinterpret_cast<GraphExec *>(hGraphExec);
    if (!g_execs.count(x)) return CUDA_ERROR_INVALID_VALUE;
    auto *rep = new Replay{std::make_shared<WorkList>(x->nodes)};
    return enqueue(hStream, std::make_shared<Work>("cuGraphLaunch", run_replay, rep, release_replay));
}

CUresult cuGraphExecDestroy(CUgraphExec hGraphExec) {
    Guard g(g_lock);
    if (!initialized()) return CUDA_ERROR_NOT_INITIALIZED;
    GraphExec *x = reinterpret_cast<GraphExec *>(hGraphExec);
    if (g_execs.erase(x) == 0) return CUDA_ERROR_INVALID_VALUE;
    delete x;
    return CUDA_SUCCESS;
}

CUresult cuGraphDestroy(CUgraph hGraph) {
    Guard g(g_lock);
    if (!initialized()) return CUDA_ERROR_NOT_INITIALIZED;
    Graph *gr = reinterpret_cast<Graph *>(hGraph);
    if (g_graphs.erase(gr) == 0) return CUDA_ERROR_INVALID_VALUE;
    delete gr;
    return CUDA_SUCCESS;
}

} // extern "C"
