/* SPDX-License-Identifier: MIT */
/*
 * Program descriptions: the simulator's stand-in for a QPC.  A small text
 * format (docs/SIMULATOR.md "Program descriptions"):
 *
 *	key = value	# comment
 *
 * Keys: name, batch, compute_us, jitter_us, tail_ppm, tail_us, dma_mbps,
 * ring, slices, stats, buffer (repeatable: "buffer = NAME BYTES in|out").
 */
#ifndef QAIC_SIM_DESC_H
#define QAIC_SIM_DESC_H

#include <stddef.h>
#include <stdint.h>

#define DESC_NAME_MAX 64		/* incl. NUL, like QAicQpcProgramInfo.name */
#define DESC_MAX_BUFFERS 64
#define DESC_MAX_BUFFER_BYTES (1u << 30)
#define DESC_ERR_MAX 512
#define DESC_CYCLES_NAME "aiccyclecounts"
#define DESC_CYCLES_BYTES 64

enum desc_dir { DESC_IN = 1, DESC_OUT = 2 };

struct desc_buffer {
	char name[DESC_NAME_MAX];
	uint32_t bytes;
	enum desc_dir dir;
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
	/* Buffers in the order given; ordering into BOs is done by the user. */
	uint32_t nbuf;
	struct desc_buffer buf[DESC_MAX_BUFFERS];
};

/*
 * Parse @len bytes of description text.  @origin names the source in error
 * messages ("bert.desc", "<memory>").  Returns 0, or -1 with a message of
 * the form "ORIGIN:LINE: what is wrong" in @err.
 */
int desc_parse(const char *text, size_t len, const char *origin,
	       struct desc *out, char *err, size_t errlen);

/* Read and parse a file.  Same return convention; I/O errors name the file. */
int desc_parse_file(const char *path, struct desc *out, char *err,
		    size_t errlen);

/*
 * Resolve what qaicOpenQpcFile() was given: an existing file path, or a
 * preset name ("tiny", "preset:tiny").  Presets are searched in
 * $QAIC_SIM_PRESET_DIR, then @datadir, then @srcdir (either may be NULL).
 * Writes the file to open into @path.  Returns 0 or -1 with @err set.
 */
int desc_resolve(const char *arg, const char *datadir, const char *srcdir,
		 char *path, size_t pathlen, char *err, size_t errlen);

#endif /* QAIC_SIM_DESC_H */
