"""Badges: who gets one, the signed code on it, and PDF rendering with WeasyPrint."""
