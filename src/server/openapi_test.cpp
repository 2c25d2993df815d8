// docs/openapi.json as GET /openapi.json serves it, against the Router: every route the server registers
// is described, every described route is registered, and every reference resolves.
#include <regex>
#include <set>

#include "common/strings.h"
#include "server/console_assets.h"
#include "server/test_support.h"

namespace superstore::server {
namespace {

using nlohmann::json;

// "/table/([^/]+)/rows" -> "/table/1/rows", "/openapi\.json" -> "/openapi.json": a path the pattern matches.
std::string sample_of_pattern(const std::string& pattern) {
  const std::string groups_filled = std::regex_replace(pattern, std::regex(R"(\([^)]*\))"), "1");
  return std::regex_replace(groups_filled, std::regex(R"(\\\.)"), ".");
}

// "/table/{id}/rows" -> a regular expression for the paths the template stands for.
std::regex regex_of_template(const std::string& path) {
  return std::regex(std::regex_replace(path, std::regex(R"(\{[^}]+\})"), "[^/]+"));
}

const std::set<std::string> kMethods = {"get", "post", "put", "delete", "patch"};

void check_refs(const json& node, const json& root, const std::string& where) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref") {
        const std::string ref = value.get<std::string>();
        ASSERT_EQ(ref.rfind("#/", 0), 0u) << where;
        EXPECT_TRUE(root.contains(json::json_pointer(ref.substr(1)))) << ref << " at " << where;
      } else {
        check_refs(value, root, where + "/" + key);
      }
    }
  } else if (node.is_array()) {
    for (const auto& item : node) check_refs(item, root, where);
  }
}

TEST_F(ServerTest, OpenApiDocumentDescribesEveryRouteAndNoOther) {
  auto r = client().Get("/openapi.json");  // no token: the document is public, like the console
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  const json spec = json::parse(r->body);
  EXPECT_EQ(spec["openapi"], "3.1.0");

  const auto routes = server->routes();
  ASSERT_GT(routes.size(), 10u);
  const bool console_built = kConsoleAssetCount > 1;

  // Every registered route is described under a path template that matches it, with its method.
  for (const auto& [method, pattern] : routes) {
    const std::string sample = sample_of_pattern(pattern);
    bool described = false;
    for (const auto& [path, item] : spec["paths"].items()) {
      if (std::regex_match(sample, regex_of_template(path)) && item.contains(lower(method))) described = true;
    }
    EXPECT_TRUE(described) << method << " " << pattern << " is not in docs/openapi.json";
  }
  // Every described operation is a registered route.
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (!kMethods.count(method)) continue;
      if (path == "/assets/{kind}/{name}" && !console_built) continue;  // only a build with the console has them
      bool registered = false;
      for (const auto& [route_method, pattern] : routes) {
        if (lower(route_method) == method && std::regex_match(sample_of_pattern(pattern), regex_of_template(path))) {
          registered = true;
        }
      }
      EXPECT_TRUE(registered) << method << " " << path << " is described but no route serves it";
      EXPECT_TRUE(operation.contains("responses")) << method << " " << path;
    }
  }
  check_refs(spec, spec, "");
}

}  // namespace
}  // namespace superstore::server
