#include "theon/graph/svg.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <unordered_map>

#include "theon/graph/op.hpp"
#include "theon/graph/printing.hpp"

namespace theon {
namespace {

constexpr double kCharWidth = 6.6;  // px per character at font-size 11 (Helvetica-like)
constexpr double kLineHeight = 14;
constexpr double kGapX = 24;
constexpr double kGapY = 48;

enum class Shape { Ellipse, Box, Rounded };

struct Box {
  std::vector<std::string> lines;
  Shape shape = Shape::Rounded;
  std::string fill = "white";
  int layer = 0;
  double order = 0;                   // position key within the layer
  double x = 0, y = 0, w = 0, h = 0;  // centre and size
};

struct Edge {
  size_t from, to;
  std::string label;
};

std::string xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

class Builder {
 public:
  size_t leaf(const Var& v) {
    auto it = index_.find(v.get());
    if (it != index_.end()) return it->second;
    Box b;
    b.lines = {var_label(*v), v->type.short_str()};
    if (v->is_constant()) {
      b.shape = Shape::Box;
      b.fill = "#dddddd";
    } else {
      b.shape = Shape::Ellipse;
      b.fill = v->is_shared() ? "cyan" : "limegreen";
    }
    return add(v.get(), std::move(b));
  }

  size_t node(const Apply* n) {
    auto it = index_.find(n);
    if (it != index_.end()) return it->second;
    // Inputs first (iteratively deep graphs are rare in pictures; recursion depth is the
    // graph's depth).
    std::vector<std::pair<size_t, std::string>> sources;
    for (size_t k = 0; k < n->inputs().size(); ++k) {
      const Var& in = n->inputs()[k];
      std::string label = n->inputs().size() > 1 ? std::to_string(k) : "";
      if (in->owner && in->owner->nout() > 1) {
        label += (label.empty() ? "" : " ") + std::string("out ") + std::to_string(in->index);
      }
      sources.emplace_back(in->owner ? node(in->owner) : leaf(in), label);
    }
    Box b;
    b.lines = {n->op()->name()};
    for (int i = 0; i < n->nout(); ++i) b.lines.push_back(n->output_ref(i).type.short_str());
    const size_t id = add(n, std::move(b));
    for (auto& [src, label] : sources) edges.push_back({src, id, label});
    return id;
  }

  size_t output(const Var& o, size_t i) {
    const size_t src = o->owner ? node(o->owner) : leaf(o);
    Box b;
    b.lines = {o->name.empty() ? "output " + std::to_string(i) : o->name, o->type.short_str()};
    b.shape = Shape::Ellipse;
    b.fill = "dodgerblue";
    boxes.push_back(std::move(b));
    const size_t id = boxes.size() - 1;
    edges.push_back(
        {src, id, o->owner && o->owner->nout() > 1 ? "out " + std::to_string(o->index) : ""});
    return id;
  }

  std::vector<Box> boxes;
  std::vector<Edge> edges;

 private:
  size_t add(const void* key, Box b) {
    boxes.push_back(std::move(b));
    index_[key] = boxes.size() - 1;
    return boxes.size() - 1;
  }
  std::unordered_map<const void*, size_t> index_;
};

// Layers (longest path from a leaf), order within layers (mean position of the sources),
// sizes and coordinates. Returns the picture's width and height.
std::pair<double, double> layout(std::vector<Box>& boxes, const std::vector<Edge>& edges) {
  // Edges go from earlier to later boxes (sources are added first), so one pass settles layers.
  for (const Edge& e : edges) {
    boxes[e.to].layer = std::max(boxes[e.to].layer, boxes[e.from].layer + 1);
  }
  int layers = 0;
  for (const Box& b : boxes) layers = std::max(layers, b.layer + 1);
  std::vector<std::vector<size_t>> rows(layers);
  for (size_t i = 0; i < boxes.size(); ++i) {
    Box& b = boxes[i];
    size_t longest = 0;
    for (const auto& line : b.lines) longest = std::max(longest, line.size());
    b.w = static_cast<double>(longest) * kCharWidth + (b.shape == Shape::Ellipse ? 36 : 20);
    b.h = static_cast<double>(b.lines.size()) * kLineHeight + 12;
    b.order = static_cast<double>(rows[b.layer].size());
    rows[b.layer].push_back(i);
  }
  for (int l = 1; l < layers; ++l) {
    for (size_t i : rows[l]) {
      double sum = 0;
      int count = 0;
      for (const Edge& e : edges) {
        if (e.to == i) {
          sum += boxes[e.from].order;
          ++count;
        }
      }
      if (count > 0) boxes[i].order = sum / count;
    }
    std::stable_sort(rows[l].begin(), rows[l].end(),
                     [&](size_t a, size_t b) { return boxes[a].order < boxes[b].order; });
    for (size_t k = 0; k < rows[l].size(); ++k) boxes[rows[l][k]].order = static_cast<double>(k);
  }
  double width = 0, y = kGapY / 2;
  std::vector<double> row_width(layers, 0);
  for (int l = 0; l < layers; ++l) {
    double height = 0;
    for (size_t i : rows[l]) {
      row_width[l] += boxes[i].w + kGapX;
      height = std::max(height, boxes[i].h);
    }
    for (size_t i : rows[l]) boxes[i].y = y + height / 2;
    y += height + kGapY;
    width = std::max(width, row_width[l]);
  }
  for (int l = 0; l < layers; ++l) {
    double x = (width - row_width[l]) / 2 + kGapX / 2;
    for (size_t i : rows[l]) {
      boxes[i].x = x + boxes[i].w / 2;
      x += boxes[i].w + kGapX;
    }
  }
  return {width, y - kGapY / 2};
}

void draw_box(std::ostringstream& os, const Box& b) {
  const std::string style = " fill=\"" + b.fill + "\" stroke=\"black\"";
  if (b.shape == Shape::Ellipse) {
    os << "<ellipse cx=\"" << num(b.x) << "\" cy=\"" << num(b.y) << "\" rx=\"" << num(b.w / 2)
       << "\" ry=\"" << num(b.h / 2) << "\"" << style << "/>\n";
  } else {
    os << "<rect x=\"" << num(b.x - b.w / 2) << "\" y=\"" << num(b.y - b.h / 2) << "\" width=\""
       << num(b.w) << "\" height=\"" << num(b.h) << "\""
       << (b.shape == Shape::Rounded ? " rx=\"6\"" : "") << style << "/>\n";
  }
  const double top = b.y - kLineHeight * (static_cast<double>(b.lines.size()) - 1) / 2 + 4;
  for (size_t k = 0; k < b.lines.size(); ++k) {
    os << "<text x=\"" << num(b.x) << "\" y=\"" << num(top + kLineHeight * k)
       << "\" text-anchor=\"middle\">" << xml(b.lines[k]) << "</text>\n";
  }
}

}  // namespace

std::string svg_graph(const std::vector<Var>& outputs, const std::string& title) {
  Builder g;
  for (size_t i = 0; i < outputs.size(); ++i) g.output(outputs[i], i);
  const auto [width, height] = layout(g.boxes, g.edges);
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width) << "\" height=\""
     << num(height) << "\" viewBox=\"0 0 " << num(width) << " " << num(height)
     << "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n"
     << "<title>" << xml(title) << "</title>\n"
     << "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
        "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\"/>"
        "</marker></defs>\n";
  for (const Edge& e : g.edges) {
    const Box& a = g.boxes[e.from];
    const Box& b = g.boxes[e.to];
    const double y1 = a.y + a.h / 2, y2 = b.y - b.h / 2;
    os << "<line x1=\"" << num(a.x) << "\" y1=\"" << num(y1) << "\" x2=\"" << num(b.x) << "\" y2=\""
       << num(y2) << "\" stroke=\"black\" marker-end=\"url(#arrow)\"/>\n";
    if (!e.label.empty()) {
      os << "<text x=\"" << num((a.x + b.x) / 2 + 4) << "\" y=\"" << num((y1 + y2) / 2)
         << "\" font-size=\"9\">" << xml(e.label) << "</text>\n";
    }
  }
  for (const Box& b : g.boxes) draw_box(os, b);
  os << "</svg>\n";
  return os.str();
}

}  // namespace theon
