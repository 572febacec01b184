"""Load calculator: design power, current, supply, breaker and category of a device list or a building."""

from .batch import BATCH_COLUMNS, calculate_batch
from .building import (
    apartment_specific_load,
    calculate_building,
    comfort_demand_factor,
    comfort_simultaneity_factor,
    lift_demand_factor,
)
from .devices import calculate_devices
from .electrical import breaker_rating, phase_current, power_from_current
from .errors import InputError, Problem
from .models import BuildingInput, DeviceInput, LiftInput, LoadResult, Notice, TraceStep
from .reader import read_table
from .tables import catalogue

__all__ = [
    "BATCH_COLUMNS",
    "BuildingInput",
    "DeviceInput",
    "InputError",
    "LiftInput",
    "LoadResult",
    "Notice",
    "Problem",
    "TraceStep",
    "apartment_specific_load",
    "breaker_rating",
    "calculate_batch",
    "calculate_building",
    "calculate_devices",
    "catalogue",
    "comfort_demand_factor",
    "comfort_simultaneity_factor",
    "lift_demand_factor",
    "phase_current",
    "power_from_current",
    "read_table",
]
