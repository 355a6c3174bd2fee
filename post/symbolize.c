// SPDX-License-Identifier: MIT
/*
 * Call sites -> "func+0xNN (module) file:line".  Symbols come from the
 * module's own ELF .symtab (or .dynsym when stripped), read with mmap;
 * file:line from `addr2line -e MODULE ADDR` (binutils) when it is
 * installed and the module has debug info.  Never fatal.
 */
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "symbolize.h"

struct elf_map {
	const unsigned char *p;
	size_t size;
	uint16_t type;
};

static int elf_open(const char *path, struct elf_map *e)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	const Elf64_Ehdr *h;

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) || (size_t)sb.st_size < sizeof(Elf64_Ehdr)) {
		close(fd);
		return -1;
	}
	e->size = (size_t)sb.st_size;
	e->p = mmap(NULL, e->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (e->p == MAP_FAILED)
		return -1;
	h = (const Elf64_Ehdr *)e->p;
	if (memcmp(h->e_ident, ELFMAG, SELFMAG) || h->e_ident[EI_CLASS] != ELFCLASS64 ||
	    h->e_shoff + (uint64_t)h->e_shnum * sizeof(Elf64_Shdr) > e->size ||
	    h->e_shentsize != sizeof(Elf64_Shdr)) {
		munmap((void *)e->p, e->size);
		return -1;
	}
	e->type = h->e_type;
	return 0;
}

/* The function symbol containing addr in one symbol table section. */
static const char *find_in(const struct elf_map *e, const Elf64_Shdr *sh,
			   uint64_t addr, uint64_t *start)
{
	const Elf64_Ehdr *h = (const Elf64_Ehdr *)e->p;
	const Elf64_Shdr *shs = (const Elf64_Shdr *)(e->p + h->e_shoff);
	const Elf64_Shdr *str;
	const Elf64_Sym *sym;
	const char *best = NULL;
	size_t i, n;

	if (sh->sh_link >= h->e_shnum || sh->sh_offset + sh->sh_size > e->size)
		return NULL;
	str = &shs[sh->sh_link];
	if (str->sh_offset + str->sh_size > e->size)
		return NULL;
	sym = (const Elf64_Sym *)(e->p + sh->sh_offset);
	n = sh->sh_size / sizeof(*sym);
	for (i = 0; i < n; i++) {
		if (ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC || !sym[i].st_value ||
		    sym[i].st_name >= str->sh_size)
			continue;
		if (addr < sym[i].st_value ||
		    addr >= sym[i].st_value + (sym[i].st_size ? sym[i].st_size : 1))
			continue;
		best = (const char *)e->p + str->sh_offset + sym[i].st_name;
		*start = sym[i].st_value;
		break;
	}
	return best;
}

static const char *elf_func(const struct elf_map *e, uint64_t addr,
			    uint64_t *start)
{
	const Elf64_Ehdr *h = (const Elf64_Ehdr *)e->p;
	const Elf64_Shdr *shs = (const Elf64_Shdr *)(e->p + h->e_shoff);
	const char *name = NULL;
	int pass, i;

	/* .symtab first (has static functions), then .dynsym */
	for (pass = 0; pass < 2 && !name; pass++)
		for (i = 0; i < h->e_shnum && !name; i++)
			if (shs[i].sh_type == (pass ? SHT_DYNSYM : SHT_SYMTAB))
				name = find_in(e, &shs[i], addr, start);
	return name;
}

/* "file:line" from addr2line, or "" (no binutils, no debug info). */
static void addr2line(const char *path, uint64_t addr, char *out, size_t len)
{
	char cmd[64], line[1024];
	int pfd[2];
	pid_t pid;
	ssize_t n;
	size_t got = 0;

	out[0] = 0;
	if (pipe(pfd))
		return;
	snprintf(cmd, sizeof(cmd), "0x%" PRIx64, addr);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (!pid) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execlp("addr2line", "addr2line", "-e", path, cmd, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (got + 1 < sizeof(line) &&
	       (n = read(pfd[0], line + got, sizeof(line) - 1 - got)) > 0)
		got += (size_t)n;
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	line[got] = 0;
	line[strcspn(line, "\n")] = 0;
	if (line[0] && line[0] != '?' && !strstr(line, ":?") && !strstr(line, ":0"))
		snprintf(out, len, " %s", line);
}

int qp_symbolize_addr(const char *path, uint64_t off, char *buf, size_t len)
{
	struct elf_map e;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *fn;
	uint64_t start = 0;
	char src[1100];

	if (elf_open(path, &e))
		return -1;
	fn = elf_func(&e, off, &start);
	addr2line(path, off, src, sizeof(src));
	if (fn)
		snprintf(buf, len, "%s+0x%" PRIx64 " (%s)%s", fn, off - start, base, src);
	else
		snprintf(buf, len, "%s+0x%" PRIx64 "%s", base, off, src);
	munmap((void *)e.p, e.size);
	return 0;
}

static const struct qp_module *module_of(const struct qp_read_stats *st,
					 uint32_t host, int32_t pid, uint64_t ip)
{
	size_t i;

	for (i = st->nmodules; i-- > 0;) {	/* latest mapping wins */
		const struct qp_module *mod = &st->modules[i];

		if (mod->host == host && mod->pid == pid && ip >= mod->base &&
		    ip < mod->base + mod->size)
			return mod;
	}
	return NULL;
}

size_t qp_symbolize(struct qp_model *m, const struct qp_read_stats *st)
{
	size_t i, done = 0;
	char buf[1400];

	for (i = 0; i < m->ncallsites; i++) {
		struct qp_callsite *cs = &m->callsites[i];
		const struct qp_process *p;
		const struct qp_module *mod;
		struct elf_map e;
		uint64_t ip, off;

		if (cs->symbol || !cs->depth || cs->process >= m->nprocesses)
			continue;
		p = &m->processes[cs->process];
		ip = cs->ips[0] ? cs->ips[0] - 1 : 0;	/* inside the call insn */
		mod = module_of(st, p->host, p->pid, ip);
		if (!mod || elf_open(mod->path, &e))
			continue;
		off = e.type == ET_EXEC ? ip : ip - mod->base;
		munmap((void *)e.p, e.size);
		if (qp_symbolize_addr(mod->path, off, buf, sizeof(buf)))
			continue;
		cs->symbol = strdup(buf);
		done += cs->symbol != NULL;
	}
	return done;
}
