"""Datasets: real MNIST, real geophysical grids and synthetic edge cases, offline after one fetch."""
