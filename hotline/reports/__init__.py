"""Read side: periods, response-time statistics, dashboard figures, periodic reports and
their exports (XLSX, CSV), crosswalks to other frameworks, and the daily_stat rollup."""
