// The best model's four convolutions (16 images = 256 parts), forward and both backward passes,
// straight through oneDNN's C API: the same program built against Debian's oneDNN 2.6 and
// PyPI's oneDNN 2026.1 (3.x API), to compare the libraries themselves, without GalaxyNet around
// them. bench/kernel-libraries.sh builds and runs it both ways; each primitive takes oneDNN's
// preferred layouts (format "any"), Winograd first for the 3×3 layers where implemented, and
// its median over the runs is printed in milliseconds.
//
//     cc -O2 bench/onednn-conv-bench.c -ldnnl -o conv-bench && ./conv-bench 20
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(x) do { dnnl_status_t s_ = (x); if (s_ != dnnl_success) { fprintf(stderr, "%s:%d: %s failed (%d)\n", __FILE__, __LINE__, #x, (int)s_); exit(1); } } while (0)

static dnnl_engine_t engine;
static dnnl_stream_t stream;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int compare(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

#if DNNL_VERSION_MAJOR >= 3
typedef const_dnnl_memory_desc_t md_ref;
static dnnl_memory_desc_t any_md(int n, const dnnl_dims_t dims) {
    dnnl_memory_desc_t md; CHECK(dnnl_memory_desc_create_with_tag(&md, n, dims, dnnl_f32, dnnl_format_tag_any)); return md;
}
#else
typedef const dnnl_memory_desc_t *md_ref;
static dnnl_memory_desc_t any_md(int n, const dnnl_dims_t dims) {
    dnnl_memory_desc_t md; CHECK(dnnl_memory_desc_init_by_tag(&md, n, dims, dnnl_f32, dnnl_format_tag_any)); return md;
}
#endif

// A memory object of the primitive's chosen layout for `query`, filled with a small value.
static dnnl_memory_t memory(dnnl_primitive_desc_t pd, dnnl_query_t query) {
    md_ref md = dnnl_primitive_desc_query_md(pd, query, 0);
    dnnl_memory_t m; CHECK(dnnl_memory_create(&m, md, engine, DNNL_MEMORY_ALLOCATE));
    void *p; CHECK(dnnl_memory_get_data_handle(m, &p));
    size_t bytes = dnnl_memory_desc_get_size(md);
    for (size_t i = 0; i < bytes / 4; i++) ((float *)p)[i] = 0.01f * (float)((i % 7) + 1);
    return m;
}

static dnnl_primitive_attr_t attributes(void) {
    dnnl_primitive_attr_t a; CHECK(dnnl_primitive_attr_create(&a)); return a;
}

// The three primitive descriptors of one convolution for `algorithm`; returns 0 if unimplemented.
static int create(dnnl_alg_kind_t algorithm, const dnnl_dims_t src, const dnnl_dims_t wei, const dnnl_dims_t dst,
                  dnnl_primitive_desc_t pd[3]) {
    dnnl_dims_t strides = {1, 1}, pad = {0, 0};
    dnnl_memory_desc_t s = any_md(4, src), w = any_md(4, wei), d = any_md(4, dst);
    dnnl_primitive_attr_t attr = attributes();
#if DNNL_VERSION_MAJOR >= 3
    dnnl_dims_t dilation = {0, 0};
    if (dnnl_convolution_forward_primitive_desc_create(&pd[0], engine, dnnl_forward_training, algorithm, s, w, NULL, d, strides, dilation,
                                                       pad, pad, attr) != dnnl_success) return 0;
    if (dnnl_convolution_backward_data_primitive_desc_create(&pd[1], engine, algorithm, s, w, d, strides, dilation, pad, pad, pd[0],
                                                             attr) != dnnl_success) return 0;
    if (dnnl_convolution_backward_weights_primitive_desc_create(&pd[2], engine, algorithm, s, w, NULL, d, strides, dilation, pad, pad,
                                                                pd[0], attr) != dnnl_success) return 0;
#else
    dnnl_convolution_desc_t cd;
    CHECK(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_training, algorithm, &s, &w, NULL, &d, strides, pad, pad));
    if (dnnl_primitive_desc_create(&pd[0], &cd, attr, engine, NULL) != dnnl_success) return 0;
    CHECK(dnnl_convolution_backward_data_desc_init(&cd, algorithm, &s, &w, &d, strides, pad, pad));
    if (dnnl_primitive_desc_create(&pd[1], &cd, attr, engine, pd[0]) != dnnl_success) return 0;
    CHECK(dnnl_convolution_backward_weights_desc_init(&cd, algorithm, &s, &w, NULL, &d, strides, pad, pad));
    if (dnnl_primitive_desc_create(&pd[2], &cd, attr, engine, pd[0]) != dnnl_success) return 0;
#endif
    return 1;
}

static double median_ms(dnnl_primitive_t p, int nargs, const dnnl_exec_arg_t *args, int runs) {
    double t[256];
    CHECK(dnnl_primitive_execute(p, stream, nargs, args)); CHECK(dnnl_stream_wait(stream));   // warm-up
    for (int r = 0; r < runs; r++) {
        double start = now();
        CHECK(dnnl_primitive_execute(p, stream, nargs, args)); CHECK(dnnl_stream_wait(stream));
        t[r] = (now() - start) * 1e3;
    }
    qsort(t, runs, sizeof(double), compare);
    return t[runs / 2];
}

int main(int argc, char **argv) {
    int runs = argc > 1 ? atoi(argv[1]) : 20;
    if (runs < 1 || runs > 256) runs = 20;
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    const dnnl_version_t *v = dnnl_version();
    printf("oneDNN %d.%d.%d (cpu runtime %u), ISA %d, median of %d runs, ms\n", v->major, v->minor, v->patch, v->cpu_runtime,
           (int)dnnl_get_effective_cpu_isa(), runs);
    printf("%-6s %-10s %9s %9s %9s %9s\n", "layer", "algorithm", "forward", "bwd data", "bwd wts", "total");
    struct { const char *name; dnnl_dims_t src, wei, dst; } layers[] = {
        {"conv1", {256, 3, 45, 45}, {32, 3, 6, 6}, {256, 32, 40, 40}},
        {"conv2", {256, 32, 20, 20}, {64, 32, 5, 5}, {256, 64, 16, 16}},
        {"conv3", {256, 64, 8, 8}, {128, 64, 3, 3}, {256, 128, 6, 6}},
        {"conv4", {256, 128, 6, 6}, {128, 128, 3, 3}, {256, 128, 4, 4}},
    };
    double sum = 0;
    for (int l = 0; l < 4; l++) {
        dnnl_primitive_desc_t pd[3];
        int winograd = layers[l].wei[2] == 3 && create(dnnl_convolution_winograd, layers[l].src, layers[l].wei, layers[l].dst, pd);
        if (!winograd && !create(dnnl_convolution_direct, layers[l].src, layers[l].wei, layers[l].dst, pd)) { fprintf(stderr, "unimplemented\n"); return 1; }
        dnnl_primitive_t p[3];
        for (int i = 0; i < 3; i++) CHECK(dnnl_primitive_create(&p[i], pd[i]));
        dnnl_memory_t src = memory(pd[0], dnnl_query_src_md), wei = memory(pd[0], dnnl_query_weights_md), dst = memory(pd[0], dnnl_query_dst_md);
        dnnl_exec_arg_t fwd[] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
        dnnl_memory_t ddst = memory(pd[1], dnnl_query_diff_dst_md), dsrc = memory(pd[1], dnnl_query_diff_src_md);
        dnnl_memory_t wei1 = memory(pd[1], dnnl_query_weights_md);
        dnnl_exec_arg_t bwd[] = {{DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_WEIGHTS, wei1}, {DNNL_ARG_DIFF_SRC, dsrc}};
        dnnl_memory_t src2 = memory(pd[2], dnnl_query_src_md), ddst2 = memory(pd[2], dnnl_query_diff_dst_md);
        dnnl_memory_t dwei = memory(pd[2], dnnl_query_diff_weights_md);
        dnnl_exec_arg_t bww[] = {{DNNL_ARG_SRC, src2}, {DNNL_ARG_DIFF_DST, ddst2}, {DNNL_ARG_DIFF_WEIGHTS, dwei}};
        double f = median_ms(p[0], 3, fwd, runs), bd = median_ms(p[1], 3, bwd, runs), bw = median_ms(p[2], 3, bww, runs);
        sum += f + bd + bw;
        printf("%-6s %-10s %9.2f %9.2f %9.2f %9.2f\n", layers[l].name, winograd ? "winograd" : "direct", f, bd, bw, f + bd + bw);
    }
    printf("%-6s %-10s %9s %9s %9s %9.2f\n", "all", "", "", "", "", sum);
    return 0;
}
