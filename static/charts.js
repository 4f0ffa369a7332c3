// The charts live in shared/charts.js; this file keeps the URL /static/charts.js working
// (tests/test_report_api.py fetches it). Pages import shared/charts.js directly.
export * from './shared/charts.js';
