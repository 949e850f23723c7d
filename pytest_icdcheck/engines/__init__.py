"""Engines: how a spec on the command line becomes something that codes encounters.

Import the module you need (``engines.resolve``, ``engines.adapter``): this package
imports nothing, so ``engines.spawn`` stays cheap for ``icdcheck run``'s early start.
"""
