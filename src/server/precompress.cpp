// A build-time tool, not part of the server: compresses one file of the web console with Brotli at its
// highest quality and with gzip at zlib's highest level, for cmake/EmbedFiles.cmake. What costs seconds
// here would cost as much on every request (content_coding.h).
//   superstore_precompress INPUT OUTPUT.br OUTPUT.gz
#include <brotli/encode.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace {

bool write_file(const char* path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

std::string brotli(const std::string& input) {
  size_t size = BrotliEncoderMaxCompressedSize(input.size());
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(BROTLI_MAX_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, input.size(),
                             reinterpret_cast<const uint8_t*>(input.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    return {};
  }
  out.resize(size);
  return out;
}

// No file name or time goes into the gzip header (zlib writes none unless told), so builds are repeatable.
std::string gzip(const std::string& input) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&stream, static_cast<uLong>(input.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const bool done = deflate(&stream, Z_FINISH) == Z_STREAM_END;
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return done ? out : std::string();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s INPUT OUTPUT.br OUTPUT.gz\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "superstore_precompress: cannot read %s\n", argv[1]);
    return 1;
  }
  const std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string br = brotli(input);
  const std::string gz = gzip(input);
  if ((br.empty() && !input.empty()) || gz.empty()) {
    std::fprintf(stderr, "superstore_precompress: cannot compress %s\n", argv[1]);
    return 1;
  }
  if (!write_file(argv[2], br) || !write_file(argv[3], gz)) {
    std::fprintf(stderr, "superstore_precompress: cannot write %s or %s\n", argv[2], argv[3]);
    return 1;
  }
  return 0;
}
