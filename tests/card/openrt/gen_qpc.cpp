// SPDX-License-Identifier: MIT
/*
 * gen-openrt-qpc: an OPENRT program file (programqpc.bin) for one of the
 * simulator's presets (sim/presets/<name>.desc), for Qualcomm's open
 * runtime on qaic-sim-card (docs/OPENRT.md).  Built at test time against
 * OPENRT's own build tree (tests/card/openrt-env.sh): its container writer
 * (QAicQpc buildFromSegments), its metadata flatbuffer schema (object API),
 * its generated network-descriptor protobuf and ELFIO.  Nothing of OPENRT
 * is in this file: only its public headers are included.
 *
 * The program: one DMA buffer per preset buffer (size, direction), one DMA
 * request per buffer (the whole buffer to or from device DDR), inputs and
 * outputs as plain copies of their DMA buffer (CopyDMABuffer), no
 * constants; network.elf carries the metadata (section metadata_fb) and
 * the device time the simulated device runs (section qaic_sim_timing: a
 * struct simkmd_nnc_activate, docs/SIM-KMD.md).
 *
 * Usage: gen-openrt-qpc PRESET.desc OUTDIR [SEED]
 */
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <elfio/elfio.hpp>

#include "AICNetworkDesc.pb.h"
#include "AicMetadataFlat_generated.h"
#include "QAicQpc.h"
#include "simkmd.h"

namespace {

struct Buffer {
	std::string name;
	uint32_t size;
	bool in;
};

struct Preset {
	std::string name;
	uint64_t compute_us = 0, jitter_us = 0, tail_us = 0, dma_mbps = 0;
	uint32_t tail_ppm = 0, nsp = 1;
	std::vector<Buffer> buffers;
};

[[noreturn]] void die(const std::string &msg)
{
	std::fprintf(stderr, "gen-openrt-qpc: %s\n", msg.c_str());
	std::exit(1);
}

std::string trim(const std::string &s)
{
	size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
	return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

uint64_t number(const std::string &file, int line, const std::string &v)
{
	char *end = nullptr;
	errno = 0;
	unsigned long long n = std::strtoull(v.c_str(), &end, 10);
	if (v.empty() || errno || *end)
		die(file + ":" + std::to_string(line) + ": '" + v + "' is not a number");
	return n;
}

/* The keys of the simulator's description format this program needs. */
Preset read_preset(const std::string &file)
{
	std::ifstream in(file);
	Preset p;
	std::string raw;
	int line = 0;

	if (!in)
		die(file + ": cannot open: " + std::strerror(errno));
	while (std::getline(in, raw)) {
		line++;
		std::string s = trim(raw.substr(0, raw.find('#')));
		if (s.empty())
			continue;
		size_t eq = s.find('=');
		if (eq == std::string::npos)
			die(file + ":" + std::to_string(line) + ": expected KEY = VALUE");
		std::string k = trim(s.substr(0, eq)), v = trim(s.substr(eq + 1));
		if (k == "name")
			p.name = v;
		else if (k == "compute_us")
			p.compute_us = number(file, line, v);
		else if (k == "jitter_us")
			p.jitter_us = number(file, line, v);
		else if (k == "tail_us")
			p.tail_us = number(file, line, v);
		else if (k == "tail_ppm")
			p.tail_ppm = (uint32_t)number(file, line, v);
		else if (k == "dma_mbps")
			p.dma_mbps = number(file, line, v);
		else if (k == "nsp_cores")
			p.nsp = (uint32_t)number(file, line, v);
		else if (k == "buffer") {
			std::istringstream b(v);
			std::string name, size, dir;
			if (!(b >> name >> size >> dir) || (dir != "in" && dir != "out"))
				die(file + ":" + std::to_string(line) +
				    ": expected buffer = NAME SIZE in|out");
			p.buffers.push_back({name, (uint32_t)number(file, line, size), dir == "in"});
		}
	}
	if (p.name.empty() || p.buffers.empty())
		die(file + ": no name or no buffer");
	return p;
}

std::vector<uint8_t> metadata(const Preset &p)
{
	AicMetadataFlat::MetadataT m;

	m.versionMajor = 1;
	m.versionMinor = 0;
	m.networkName = p.name;
	m.hwVersionMajor = 2;		/* AIC100, as sim/kmd's STATUS says */
	m.hwVersionMinor = 0;
	m.numNSPs = (uint16_t)p.nsp;
	for (uint32_t i = 0; i < p.nsp; i++)
		m.nspMulticastTables.emplace_back(new AicMetadataFlat::AICMDNSPMulticastEntryTableT());
	m.hostMulticastTable.reset(new AicMetadataFlat::AICMDHostMulticastEntryTableT());
	for (size_t i = 0; i < p.buffers.size(); i++) {
		auto *r = new AicMetadataFlat::AICMDDMARequestT();

		r->num = (uint16_t)i;
		r->hostOffset = 0;
		r->devOffset = 0x1000 * i;
		r->size = p.buffers[i].size;
		r->devAddrSpace = 1;	/* DDR */
		r->inOut = p.buffers[i].in ? 0 : 1;
		m.dmaRequests.emplace_back(r);
	}
	flatbuffers::FlatBufferBuilder fbb;
	fbb.Finish(AicMetadataFlat::Metadata::Pack(fbb, &m));
	return std::vector<uint8_t>(fbb.GetBufferPointer(),
				    fbb.GetBufferPointer() + fbb.GetSize());
}

std::string network_elf(const Preset &p, uint64_t seed)
{
	std::vector<uint8_t> md = metadata(p);
	struct simkmd_nnc_activate t;
	ELFIO::elfio e;
	std::ostringstream os;

	std::memset(&t, 0, sizeof(t));
	t.magic = SIMKMD_NNC_MAGIC;
	t.compute_ns = p.compute_us * 1000;
	t.jitter_ns = p.jitter_us * 1000;
	t.tail_ns = p.tail_us * 1000;
	t.tail_ppm = p.tail_ppm;
	t.dma_bytes_per_us = p.dma_mbps;	/* 1 MB/s = 1 byte/us */
	t.seed = seed;
	e.create(ELFIO::ELFCLASS64, ELFIO::ELFDATA2LSB);
	e.set_type(ELFIO::ET_EXEC);
	e.set_machine(164);			/* EM_QDSP6 */
	ELFIO::section *s = e.sections.add("metadata_fb");
	s->set_type(ELFIO::SHT_PROGBITS);
	s->set_data(reinterpret_cast<const char *>(md.data()), md.size());
	s = e.sections.add(SIMKMD_ELF_TIMING_SECTION);
	s->set_type(ELFIO::SHT_PROGBITS);
	s->set_addr_align(8);
	s->set_data(reinterpret_cast<const char *>(&t), sizeof(t));
	if (!e.save(os))
		die("cannot write network.elf");
	return os.str();
}

std::string network_desc(const Preset &p)
{
	aicnwdesc::networkDescriptor d;

	d.set_major_version(AIC_NETWORK_DESCRIPTION_MAJOR_VERSION);
	d.set_minor_version(AIC_NETWORK_DESCRIPTION_MINOR_VERSION);
	d.set_network_name(p.name);
	d.set_num_cores(p.nsp);
	d.set_batch_size(1);
	for (size_t i = 0; i < p.buffers.size(); i++) {
		const Buffer &b = p.buffers[i];
		aicnwdesc::DMABuffer *db = d.add_dma_buffers();
		db->set_size(b.size);
		db->set_dir(b.in ? aicnwdesc::In : aicnwdesc::Out);
		aicnwdesc::IOBinding *io = b.in ? d.add_inputs() : d.add_outputs();
		io->set_name(b.name);
		for (aicnwdesc::IODescriptor *iod : { io->mutable_io_initial(),
						      io->mutable_io_transformed() }) {
			iod->set_type(aicnwdesc::UInt8QTy);
			iod->set_qscale(1.0f);
			iod->add_dims(1);
			iod->add_dims((int32_t)b.size);
		}
		aicnwdesc::transform *t = io->add_transformseq();
		t->set_kind(aicnwdesc::CopyDMABufferTransform);
		t->set_type(aicnwdesc::UInt8QTy);
		t->mutable_copy_dma_buffer()->set_dir(b.in ? aicnwdesc::In : aicnwdesc::Out);
		t->mutable_copy_dma_buffer()->set_offset(0);
		t->mutable_copy_dma_buffer()->set_buffer_num((uint32_t)i);
	}
	std::string out;
	if (!d.SerializeToString(&out))
		die("cannot serialize networkdesc.bin");
	return out;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		std::fprintf(stderr, "usage: gen-openrt-qpc PRESET.desc OUTDIR [SEED]\n");
		return 2;
	}
	Preset p = read_preset(argv[1]);
	uint64_t seed = argc > 3 ? number("SEED", 0, argv[3]) : 1;
	std::string elf = network_elf(p, seed), desc = network_desc(p);
	std::string consts(32, '\0');	/* AICConstantDescriptor: no constants */
	char n_elf[] = "network.elf", n_desc[] = "networkdesc.bin",
	     n_consts[] = "constantsdesc.bin";
	std::vector<QpcSegmentDesc> segs;

	segs.emplace_back(elf.size(), 0, n_elf, reinterpret_cast<uint8_t *>(&elf[0]));
	segs.emplace_back(desc.size(), 0, n_desc, reinterpret_cast<uint8_t *>(&desc[0]));
	segs.emplace_back(consts.size(), 0, n_consts, reinterpret_cast<uint8_t *>(&consts[0]));
	std::string out = std::string(argv[2]) + "/programqpc.bin";
	if (int rc = buildFromSegments(segs, out); rc != 0)
		die(out + ": OPENRT's container writer failed: " + std::strerror(rc < 0 ? -rc : rc));
	std::printf("%s: %s, %zu buffers, %llu us\n", out.c_str(), p.name.c_str(),
		    p.buffers.size(), (unsigned long long)p.compute_us);
	return 0;
}
