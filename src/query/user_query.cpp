#include "query/user_query.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "query/deadlines.h"
#include "query/duckdb_internal.h"
#include "query/read_statement.h"
#include "query/sql_tree.h"
#include "query/table_reads.h"
#include "query/user_query_internal.h"
#include "query/values.h"

namespace superstore::query {
namespace {

std::string statement_kind(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_INSERT:
      return "INSERT";
    case DUCKDB_STATEMENT_TYPE_UPDATE:
      return "UPDATE";
    case DUCKDB_STATEMENT_TYPE_DELETE:
      return "DELETE";
    case DUCKDB_STATEMENT_TYPE_PREPARE:
      return "PREPARE";
    case DUCKDB_STATEMENT_TYPE_CREATE:
      return "CREATE";
    case DUCKDB_STATEMENT_TYPE_EXECUTE:
      return "EXECUTE";
    case DUCKDB_STATEMENT_TYPE_ALTER:
      return "ALTER";
    case DUCKDB_STATEMENT_TYPE_TRANSACTION:
      return "transaction";
    case DUCKDB_STATEMENT_TYPE_COPY:
      return "COPY";
    case DUCKDB_STATEMENT_TYPE_ANALYZE:
      return "ANALYZE";
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET:
      return "SET VARIABLE";
    case DUCKDB_STATEMENT_TYPE_CREATE_FUNC:
      return "CREATE FUNCTION";
    case DUCKDB_STATEMENT_TYPE_DROP:
      return "DROP";
    case DUCKDB_STATEMENT_TYPE_EXPORT:
      return "EXPORT";
    case DUCKDB_STATEMENT_TYPE_PRAGMA:
      return "PRAGMA";
    case DUCKDB_STATEMENT_TYPE_VACUUM:
      return "VACUUM";
    case DUCKDB_STATEMENT_TYPE_CALL:
      return "CALL";
    case DUCKDB_STATEMENT_TYPE_SET:
      return "SET";
    case DUCKDB_STATEMENT_TYPE_LOAD:
      return "INSTALL or LOAD";
    case DUCKDB_STATEMENT_TYPE_EXTENSION:
      return "extension";
    case DUCKDB_STATEMENT_TYPE_ATTACH:
      return "ATTACH";
    case DUCKDB_STATEMENT_TYPE_DETACH:
      return "DETACH";
    case DUCKDB_STATEMENT_TYPE_EXPLAIN:
      return "nested EXPLAIN";
    default:
      return "type " + std::to_string(static_cast<int>(type));
  }
}

bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'; }

// Consumes `word` (any letter case) when it starts at `pos` and ends at white space or '(', and the white
// space after it.
bool take_word(std::string_view sql, size_t& pos, std::string_view word) {
  if (sql.size() - pos <= word.size()) return false;
  char after = sql[pos + word.size()];
  if (!is_space(after) && after != '(') return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(sql[pos + i])) != word[i]) return false;
  }
  pos += word.size();
  while (pos < sql.size() && is_space(sql[pos])) ++pos;
  return true;
}

// The statement that an EXPLAIN statement explains, or nullopt when the prefix is not plain. Only white
// space is skipped, never comments: DuckDB nests block comments, and any disagreement with its lexer
// about where the inner statement starts could hide a CREATE behind a harmless-looking SELECT. Whatever
// is left, comments included, goes back to DuckDB's own parser.
std::optional<std::string> explained_statement(std::string_view sql) {
  size_t pos = 0;
  while (pos < sql.size() && is_space(sql[pos])) ++pos;
  if (!take_word(sql, pos, "explain")) return std::nullopt;
  if (!take_word(sql, pos, "analyze")) take_word(sql, pos, "analyse");
  if (pos < sql.size() && sql[pos] == '(') {
    size_t close = sql.find(')', pos);
    if (close == std::string_view::npos) return std::nullopt;
    if (sql.substr(pos, close - pos).find_first_of("'\"-/(", 1) != std::string_view::npos) return std::nullopt;
    pos = close + 1;
  }
  return std::string(sql.substr(pos));
}

[[noreturn]] void refuse(const std::string& kind) {
  bool vowel = std::string_view("aeiouAEIOU").find(kind.front()) != std::string_view::npos;
  fail(ErrorCode::InvalidArgument,
       "only read statements (SELECT, WITH, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE) may run; this is " +
           std::string(vowel ? "an " : "a ") + kind + " statement");
}

// The first word of `sql`, upper-cased ("" when it starts with anything else, e.g. a comment).
std::string leading_keyword(const std::string& sql) {
  size_t i = sql.find_first_not_of(" \t\r\n");
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i]))) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
  }
  return word;
}

bool is_read_keyword(const std::string& word) {
  static const std::set<std::string> kRead = {"SELECT",    "WITH",  "FROM",    "EXPLAIN", "DESCRIBE", "DESC",  "SHOW",
                                              "SUMMARIZE", "PIVOT", "UNPIVOT", "VALUES",  "TABLE",    "PRAGMA"};
  return kRead.count(word) > 0;
}

[[noreturn]] void refuse_unchecked(const nlohmann::json& tree) {
  fail(ErrorCode::InvalidArgument,
       "this statement cannot be checked (DuckDB cannot show its parts: " + tree.value("error_message", "") +
           "), so it may not run; only SELECT (or WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, "
           "PIVOT ... IN (...)) over tables by name, or EXPLAIN of one, may run");
}

// Checks `sql` and returns it prepared, or throws as check_read_only documents. The decision is DuckDB's
// parse tree (json_serialize_sql, which serializes SELECT statements only): a SELECT must read tables by
// name only (table_reads.h) and is checked before it is bound, so that no file reader even looks at a
// file; EXPLAIN is judged by the statement it explains; anything else is refused, named by the type
// DuckDB gives it when it binds.
Prepared prepare_read_only(Connection::Impl& impl, const std::string& sql, bool inside_explain = false,
                           bool tables_only = true) {
  if (sql.find('\0') != std::string::npos) fail(ErrorCode::InvalidArgument, "the query contains a NUL byte");
  duckdb_connection conn = impl.conn;
  Extracted extracted;
  idx_t count = duckdb_extract_statements(conn, sql.c_str(), extracted.out());
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(extracted.get());
    fail(ErrorCode::InvalidArgument, error ? error : "the query is empty; send one read statement");
  }
  if (count > 1) fail(ErrorCode::InvalidArgument, "send one statement at a time; got " + std::to_string(count));
  const nlohmann::json tree = sql_parse_tree(impl, sql);
  const bool is_select = !tree.value("error", true) && tree["statements"].size() == 1;
  if (is_select && tables_only) check_reads_tables_only(impl, tree["statements"][0]);
  std::optional<std::string> inner;
  if (!is_select && !inside_explain) inner = explained_statement(sql);
  if (inner) {
    try {
      prepare_read_only(impl, *inner, true, tables_only);
    } catch (const Error& e) {
      fail(ErrorCode::InvalidArgument, "EXPLAIN may only explain a read statement: " + std::string(e.what()));
    }
  }
  Prepared prepared;
  if (duckdb_prepare_extracted_statement(conn, extracted.get(), 0, prepared.out()) == DuckDBError) {
    // Binding failed, so DuckDB gives no statement type; a write that failed to bind (DELETE from a view,
    // say) is still best told as "not a read". The statement is refused either way.
    std::string keyword = leading_keyword(sql);
    if (!keyword.empty() && !is_read_keyword(keyword)) refuse(keyword);
    if (!is_select && !inner) refuse_unchecked(tree);
    fail(ErrorCode::InvalidArgument, duckdb_prepare_error(prepared.get()));
  }
  duckdb_statement_type type = duckdb_prepared_statement_type(prepared.get());
  if (type == DUCKDB_STATEMENT_TYPE_SELECT && is_select) return prepared;
  if (type == DUCKDB_STATEMENT_TYPE_EXPLAIN && inner) return prepared;
  if (type == DUCKDB_STATEMENT_TYPE_EXPLAIN && !inside_explain) {
    fail(ErrorCode::InvalidArgument,
         "write EXPLAIN [ANALYZE] first, followed by its statement, with no comment in between");
  }
  if (type != DUCKDB_STATEMENT_TYPE_SELECT && type != DUCKDB_STATEMENT_TYPE_EXPLAIN) refuse(statement_kind(type));
  if (type == DUCKDB_STATEMENT_TYPE_EXPLAIN) refuse(statement_kind(type));
  refuse_unchecked(tree);
}

}  // namespace

// DuckDB binds a prepared statement that scans Parquet files again every time it runs, so preparing a
// query for the read-only check and then running it binds it twice (the first bind alone takes 0.5 to 1 ms
// for the 6 files of fake_orders at scale 100). A connection therefore keeps the statements it checked,
// and a query that comes again (a dashboard's, a client paging through a result) is bound once.
// Connection::execute forgets them all, since it is how views are replaced.
constexpr size_t kPreparedReadsKept = 32;

duckdb_prepared_statement prepared_read(Connection::Impl& impl, const std::string& sql) {
  auto& kept = impl.prepared_reads;
  for (auto it = kept.begin(); it != kept.end(); ++it) {
    if (it->first == sql) {
      kept.splice(kept.end(), kept, it);
      return kept.back().second.get();
    }
  }
  Prepared prepared = prepare_read_only(impl, sql);
  if (kept.size() >= kPreparedReadsKept) kept.pop_front();
  kept.emplace_back(sql, std::move(prepared));
  return kept.back().second.get();
}

void forget_prepared_read(Connection::Impl& impl, const std::string& sql) {
  impl.prepared_reads.remove_if([&](const auto& entry) { return entry.first == sql; });
}

std::chrono::milliseconds time_left(const QueryControl& control) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(control.deadline() - std::chrono::steady_clock::now());
}

void QueryControl::check_deadline() const {
  if (std::chrono::steady_clock::now() >= deadline()) fail(ErrorCode::InvalidArgument, time_limit_message(time_limit));
}

std::string time_limit_message(std::chrono::milliseconds limit) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", static_cast<double>(limit.count()) / 1000.0);
  return "query stopped after the time limit of " + std::string(seconds) + " s; narrow it or add LIMIT";
}

void start_streaming(Connection::Impl& impl, const std::string& sql, const Watchdog& watchdog, ResultHandle& result) {
  duckdb_prepared_statement prepared = prepared_read(impl, sql);
  if (watchdog.fired() || watchdog.cancelled()) fail(ErrorCode::InvalidArgument, "interrupted");
  Pending pending;
  if (duckdb_pending_prepared_streaming(prepared, pending.out()) == DuckDBError) {
    fail(ErrorCode::InvalidArgument, duckdb_pending_error(pending.get()));
  }
  if (duckdb_execute_pending(pending.get(), result.out()) == DuckDBError) throw_result_error(result.get(), true);
}

void on_query_failure(Connection::Impl& impl, const std::string& sql, const Watchdog& watchdog,
                      const QueryControl& control) {
  forget_prepared_read(impl, sql);
  if (watchdog.cancelled()) fail(ErrorCode::Cancelled, kCancelledMessage);
  if (watchdog.fired()) fail(ErrorCode::InvalidArgument, time_limit_message(control.time_limit));
}

ResultColumns result_columns(ResultHandle& result) {
  ResultColumns out;
  for (idx_t col = 0; col < duckdb_column_count(result.get()); ++col) {
    out.types.emplace_back(duckdb_column_logical_type(result.get(), col));
    out.names.emplace_back(duckdb_column_name(result.get(), col));
  }
  out.names = unique_names(out.names);
  return out;
}

std::vector<std::string> unique_names(const std::vector<std::string>& names) {
  std::unordered_set<std::string> original(names.begin(), names.end());
  std::unordered_set<std::string> used;
  std::unordered_map<std::string, int> next_suffix;
  std::vector<std::string> out;
  for (const auto& name : names) {
    std::string chosen = name;
    if (used.count(name)) {
      int& k = next_suffix.try_emplace(name, 2).first->second;
      do {
        chosen = name + "_" + std::to_string(k++);
      } while (used.count(chosen) || original.count(chosen));
    }
    used.insert(chosen);
    out.push_back(std::move(chosen));
  }
  return out;
}

namespace {

int64_t saturating_product(int64_t a, int64_t b) {
  int64_t out;
  return __builtin_mul_overflow(a, b, &out) ? std::numeric_limits<int64_t>::max() : out;
}

// About the bytes `value` takes in a JSON answer, escapes left out: enough to stop building a page that
// will not fit long before it has taken much more memory than the limit.
size_t json_bytes(const nlohmann::ordered_json& value) {
  switch (value.type()) {
    case nlohmann::ordered_json::value_t::string:
      return value.get_ref<const std::string&>().size() + 2;
    case nlohmann::ordered_json::value_t::number_integer:
    case nlohmann::ordered_json::value_t::number_unsigned:
    case nlohmann::ordered_json::value_t::number_float:
      return 8;
    default:
      return 5;
  }
}

}  // namespace

std::string too_large_message(int64_t max_bytes) {
  return "the answer is larger than the limit of " + std::to_string(max_bytes) +
         " bytes for a JSON answer (MAX_RESULT_BYTES); add LIMIT, select fewer columns or rows per page, or ask for "
         "the whole result as a download, which streams: \"format\": \"csv\" | \"ndjson\" | \"parquet\" | "
         "\"arrow\"";
}

size_t kept_user_statements(const Connection& connection) { return connection.impl().prepared_reads.size(); }

void check_read_only(Connection& connection, const std::string& sql) { prepare_read_only(connection.impl(), sql); }

void check_one_read_statement(Connection& connection, const std::string& sql) {
  prepare_read_only(connection.impl(), sql, false, false);
}

QueryPage run_user_query(Connection& connection, const std::string& sql, PageRequest request,
                         const QueryControl& control) {
  if (request.page < 1 || request.per_page < 1) {
    fail(ErrorCode::InvalidArgument, "page and per_page must be at least 1; got page " + std::to_string(request.page) +
                                         " and per_page " + std::to_string(request.per_page));
  }
  const auto started = std::chrono::steady_clock::now();
  const int64_t first = saturating_product(request.page - 1, request.per_page);
  const int64_t end = first > std::numeric_limits<int64_t>::max() - request.per_page
                          ? std::numeric_limits<int64_t>::max()
                          : first + request.per_page;
  QueryPage page;
  page.page = request.page;
  page.per_page = request.per_page;
  Connection::Impl& impl = connection.impl();
  Watchdog watchdog(impl.conn, time_left(control), control.cancelled);
  try {
    // Streaming keeps memory flat however many rows the query makes: only the page is kept.
    ResultHandle result;
    start_streaming(impl, sql, watchdog, result);

    const ResultColumns result_cols = result_columns(result);
    const std::vector<LogicalType>& types = result_cols.types;
    const std::vector<std::string>& names = result_cols.names;
    const idx_t columns = names.size();
    for (idx_t col = 0; col < columns; ++col) page.columns.push_back({names[col], type_name(types[col].get())});

    int64_t seen = 0;
    int64_t bytes = 2;  // the page's JSON array
    while (true) {
      DataChunk chunk(duckdb_fetch_chunk(*result.get()));
      if (!chunk.get()) break;
      const auto size = static_cast<int64_t>(duckdb_data_chunk_get_size(chunk.get()));
      if (size == 0) break;
      const int64_t lo = std::max(first, seen), hi = std::min(end, seen + size);
      if (lo < hi) {
        std::vector<VectorView> views;
        for (idx_t col = 0; col < columns; ++col) {
          views.emplace_back(duckdb_data_chunk_get_vector(chunk.get(), col), types[col].get());
        }
        for (int64_t row = lo; row < hi; ++row) {
          const auto r = static_cast<idx_t>(row - seen);
          nlohmann::ordered_json object = nlohmann::ordered_json::object();
          // The names are unique, so the cells go straight to the end of the object's vector: its own
          // operator[] looks for the key first, which made a 100,000-column row take seconds.
          auto& cells = static_cast<nlohmann::ordered_json::object_t::Container&>(
              object.get_ref<nlohmann::ordered_json::object_t&>());
          cells.reserve(columns);
          for (idx_t col = 0; col < columns; ++col) {
            cells.emplace_back(names[col], views[col].is_null(r) ? nlohmann::ordered_json(nullptr)
                                                                 : nlohmann::ordered_json(value_json(views[col], r)));
            bytes += names[col].size() + 4 + json_bytes(cells.back().second);
            if ((col & 1023) == 1023) {
              control.check_deadline();
              if (bytes > request.max_bytes) fail(ErrorCode::TooLarge, too_large_message(request.max_bytes));
            }
          }
          if (bytes > request.max_bytes) fail(ErrorCode::TooLarge, too_large_message(request.max_bytes));
          control.check_deadline();
          page.rows.push_back(std::move(object));
        }
      }
      seen += size;
    }
    if (duckdb_result_error(result.get())) throw_result_error(result.get(), true);
    control.check_deadline();
    page.total = seen;
  } catch (const Error&) {
    on_query_failure(impl, sql, watchdog, control);
    throw;
  }
  page.execution_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return page;
}

}  // namespace superstore::query
