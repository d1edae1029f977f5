// Dashboard: each figure is fetched from /api/stats/<name> (columns + rows) and drawn with ECharts.
// The toolbox saves a chart as PNG; the CSV link serves the same data from the API. The
// missing-reports matrix is an HTML table (htmx, /dashboard/missing), not a chart.
(function () {
  const charts = {};
  // the page's words (from the message catalogue, in the page's language)
  const words = () => document.getElementById("dashboard-filters").dataset;

  function params() {
    const form = document.getElementById("dashboard-filters");
    const query = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value && key !== "q") query.set(key, value);
    return query;
  }

  function option(figure) {
    const base = {
      title: { text: figure.title, textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      toolbox: { feature: { saveAsImage: { title: words().saveImage, name: "gongkai-" + figure.name } } },
      grid: { left: 60, right: 20, top: 50, bottom: 60 },
    };
    const seriesCount = figure.series || figure.columns.length - 1;
    const names = figure.columns.slice(1, 1 + seriesCount);
    if (figure.colors) base.color = figure.colors;  // a figure whose series mean good and bad
    return Object.assign(base, {
      legend: { data: names, bottom: 0, type: "scroll" },
      xAxis: { type: "category", data: figure.rows.map((r) => String(r[0])),
               axisLabel: { rotate: figure.rows.length > 8 ? 40 : 0, fontSize: 10 } },
      yAxis: { type: "value" },
      series: names.map((name, i) => ({
        name: name, type: figure.kind === "line" ? "line" : "bar",
        stack: figure.kind === "stacked" ? "total" : undefined,
        data: figure.rows.map((r) => r[i + 1]),
      })),
    });
  }

  async function draw(box) {
    const name = box.dataset.chart;
    const query = params();
    box.querySelector("a.csv").href = "/api/stats/" + name + "?" + query + (query.toString() ? "&" : "") + "format=csv";
    const response = await fetch("/api/stats/" + name + "?" + query, { credentials: "same-origin" });
    const note = box.querySelector(".note");
    if (!response.ok) {
      note.textContent = words().loadFailed + response.status;
      return;
    }
    const figure = await response.json();
    note.textContent = figure.note || (figure.rows.length ? "" : words().noData);
    const element = box.querySelector(".chart");
    const chart = charts[name] || echarts.init(element);
    charts[name] = chart;
    chart.off("finished");
    chart.on("finished", () => { element.dataset.drawn = String(figure.rows.length); });
    chart.setOption(option(figure), true);
  }

  function drawAll() { document.querySelectorAll(".chart-box").forEach(draw); }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("dashboard-filters").addEventListener("submit", (event) => {
      event.preventDefault();
      drawAll();
    });
    window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
    // The agency search box: htmx fills #agency-matches from /dashboard/agencies; a click on one
    // chooses it for the year-by-year chart.
    document.getElementById("agency-matches").addEventListener("click", (event) => {
      const choice = event.target.closest(".agency-choice");
      if (!choice) return;
      document.getElementById("agency-key").value = choice.dataset.agency;
      document.getElementById("agency-chosen").textContent = words().chosen + choice.dataset.name;
      document.getElementById("agency-matches").replaceChildren();
      draw(document.querySelector('.chart-box[data-chart="agency"]'));
    });
    drawAll();
  });
})();
