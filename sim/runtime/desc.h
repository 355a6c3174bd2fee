/* SPDX-License-Identifier: MIT */
/*
 * Program descriptions: the simulator's stand-in for a QPC.  A small text
 * format (docs/SIMULATOR.md "Program descriptions"):
 *
 *	key = value	# comment
 *
 * Keys: name, batch, compute_us, jitter_us, tail_ppm, tail_us, dma_mbps,
 * ring, slices, stats, nsp_cores, opmix, buffer (repeatable: "buffer = NAME BYTES in|out"),
 * specialization (repeatable: "specialization = NAME seq_len=N
 * compute_us=N [token_us=N] [jitter_us=N]") and binding (repeatable:
 * "binding = NAME in|out DTYPE DIMS [partial] [split]", NAME may hold one
 * {A..B} range, DIMS is "D1,D2,..." or one "SPEC=D1,D2,..." per
 * specialization).
 */
#ifndef QAIC_SIM_DESC_H
#define QAIC_SIM_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DESC_NAME_MAX 64		/* incl. NUL, like QAicQpcProgramInfo.name */
#define DESC_MAX_BUFFERS 4096
#define DESC_MAX_BUFFER_BYTES (1u << 30)
#define DESC_MAX_SPECS 8
#define DESC_MAX_DIMS 8
#define DESC_ERR_MAX 512
#define DESC_CYCLES_NAME "aiccyclecounts"
#define DESC_CYCLES_BYTES 64

enum desc_dir { DESC_IN = 1, DESC_OUT = 2 };

#define DESC_DT_INT8 8			/* BUFFER_DATA_TYPE_INT8 */

/* A specialization: one shape of the program and its device time. */
struct desc_spec {
	char name[DESC_NAME_MAX];
	uint32_t seq_len;		/* tokens of the first input */
	uint64_t compute_us;		/* device compute: compute_us + */
	uint64_t token_us;		/*   token_us x tokens of the request */
	uint64_t jitter_us;		/*   +- uniform jitter */
};

struct desc_buffer {
	char name[DESC_NAME_MAX];
	uint32_t bytes;			/* largest over the specializations: BO size */
	enum desc_dir dir;
	uint32_t dtype;			/* QAicBufferDataTypeEnum value */
	uint32_t elem_size;
	bool partial;			/* may be passed smaller, or empty (skipped) */
	bool split;			/* divided across the devices of a devMapping */
	uint32_t rank;
	/* dims per specialization ([0] only when there is none) */
	uint32_t dims[DESC_MAX_SPECS][DESC_MAX_DIMS];
};

struct desc {
	char name[DESC_NAME_MAX];
	uint32_t batch;
	uint64_t compute_us;
	uint64_t jitter_us;
	uint32_t tail_ppm;
	uint64_t tail_us;
	uint64_t dma_mbps;
	uint32_t ring;
	uint32_t slices;
	uint32_t stats;
	/* device profiling outputs (devprof.c): NSP cores, operator mix */
	uint32_t nsp_cores;		/* 1..16, default 1 */
	char opmix[16];			/* transformer | conv | generic (default) */
	/* Specializations, in the order given (none: compute_us/jitter_us). */
	uint32_t nspec;
	struct desc_spec spec[DESC_MAX_SPECS];
	uint32_t token_bytes;		/* bytes per token of the first input */
	/* Buffers in the order given; ordering into BOs is done by the user. */
	uint32_t nbuf;
	struct desc_buffer *buf;	/* owned: desc_free() */
};

/*
 * Parse @len bytes of description text.  @origin names the source in error
 * messages ("bert.desc", "<memory>").  Returns 0, or -1 with a message of
 * the form "ORIGIN:LINE: what is wrong" in @err (and nothing allocated).
 * @out is overwritten: free a previous result with desc_free() first.
 */
int desc_parse(const char *text, size_t len, const char *origin,
	       struct desc *out, char *err, size_t errlen);

/* Read and parse a file.  Same return convention; I/O errors name the file. */
int desc_parse_file(const char *path, struct desc *out, char *err,
		    size_t errlen);

/* Frees what desc_parse() allocated; the desc is then empty.  Idempotent. */
void desc_free(struct desc *d);

/* Bytes of buffer @b in specialization @spec (0 when there is none). */
uint64_t desc_spec_bytes(const struct desc_buffer *b, uint32_t spec);

/*
 * Resolve what qaicOpenQpcFile() was given: an existing file path, or a
 * preset name ("tiny", "preset:tiny").  Presets are searched in
 * $QAIC_SIM_PRESET_DIR, then @datadir, then @srcdir (either may be NULL).
 * Writes the file to open into @path.  Returns 0 or -1 with @err set.
 */
int desc_resolve(const char *arg, const char *datadir, const char *srcdir,
		 char *path, size_t pathlen, char *err, size_t errlen);

#endif /* QAIC_SIM_DESC_H */
