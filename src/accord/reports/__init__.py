"""Renderers of evaluation results into files (CSV now; HTML and PDF later). No rules here."""
