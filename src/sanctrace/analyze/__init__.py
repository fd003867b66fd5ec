"""Findings: routes, flows, hubs, top parties; SQL files run by the engine executor."""
