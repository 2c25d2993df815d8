// The web console: the files of web/'s build, compiled in (console_assets.h), served at / and
// /assets/<kind>/<name>-<hash> to anybody. They hold no data; the API calls the page makes still need a
// token. Each file is one literal public route, as the Router requires of public routes.
//
// Caching: hashed assets change name when they change, so browsers keep them for a year without asking;
// index.html names them and is revalidated on every load (ETag, 304). Every answer carries a strict
// Content-Security-Policy: scripts, styles, images and API calls from this origin only, nothing inline,
// no framing. The editor's run-time styles go into a shadow root's constructed stylesheet, which the
// policy does not govern (see web/src/editor.ts), so style-src needs no 'unsafe-inline'.
//
// Compression: the files of a text type were compressed at build time (Brotli at quality 11, gzip at
// level 9; cmake/EmbedFiles.cmake), and each answer is the smallest variant the client accepts, with its
// own ETag (the file's, marked "-br" or "-gzip": a strong validator names one sequence of bytes).
#include <string>
#include <string_view>

#include "server/console_assets.h"
#include "server/content_coding.h"
#include "server/routes.h"

namespace superstore::server {
namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

constexpr const char* kNotBuiltPage =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>superstore</title></head><body>"
    "<h1>superstore</h1><p>This server was built without its web console (-DSUPERSTORE_WEB_CONSOLE=OFF). "
    "The HTTP API works as usual; see README.md.</p></body></html>";

// Whether an If-None-Match header names `etag`: it may list several, in weak form (W/"..."), which names
// the same content for this purpose (RFC 9110's weak comparison), or be "*".
bool etag_matches(const std::string& if_none_match, std::string_view etag) {
  return if_none_match == "*" || (!if_none_match.empty() && if_none_match.find(etag) != std::string::npos);
}

void set_common_headers(httplib::Response& response, const char* cache_control) {
  // Replaces the API's default "Cache-Control: no-store" rather than adding a second header.
  response.headers.erase("Cache-Control");
  response.set_header("Cache-Control", cache_control);
  response.set_header("Content-Security-Policy", kContentSecurityPolicy);
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("Cross-Origin-Opener-Policy", "same-origin");
  response.set_header("Cross-Origin-Resource-Policy", "same-origin");
}

struct Variant {
  const unsigned char* data;
  size_t size;
  const char* coding;  // Content-Encoding; null for the file as it is
};

Variant pick_variant(const ConsoleAsset& asset, const httplib::Request& request) {
  const AcceptedCodings accepted = accepted_codings(request);
  if (accepted.br && asset.br_size > 0) return {asset.br_data, asset.br_size, "br"};
  if (accepted.gzip && asset.gzip_size > 0) return {asset.gzip_data, asset.gzip_size, "gzip"};
  return {asset.data, asset.size, nullptr};
}

void serve(const ConsoleAsset& asset, Call& call) {
  set_common_headers(call.response, asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  const Variant variant = pick_variant(asset, call.request);
  std::string etag = asset.etag;
  if (variant.coding) etag.insert(etag.size() - 1, std::string("-") + variant.coding);
  if (asset.br_size > 0 || asset.gzip_size > 0) add_vary(call.response, "Accept-Encoding");
  call.response.set_header("ETag", etag);
  if (etag_matches(call.request.get_header_value("If-None-Match"), etag)) {
    call.response.status = 304;
    return;
  }
  call.response.status = 200;
  if (variant.coding) call.response.set_header("Content-Encoding", variant.coding);
  call.response.set_content(reinterpret_cast<const char*>(variant.data), variant.size, asset.content_type);
}

}  // namespace

void register_console_routes(Router& router, ServerContext& /*context*/) {
  bool has_index = false;
  for (size_t i = 0; i < kConsoleAssetCount; ++i) {
    const ConsoleAsset& asset = kConsoleAssets[i];
    has_index = has_index || std::string_view(asset.path) == "/";
    router.get(
        asset.path, [&asset](Call& call) { serve(asset, call); }, Access::Public);
  }
  if (!has_index) {
    router.get(
        "/",
        [](Call& call) {
          set_common_headers(call.response, "no-cache");
          call.response.set_content(kNotBuiltPage, "text/html; charset=utf-8");
        },
        Access::Public);
  }
}

}  // namespace superstore::server
