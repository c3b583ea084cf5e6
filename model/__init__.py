"""huzhu's village model: households after the land reform, teams, co-ops and markets.

>>> from model import VillageModel
>>> m = VillageModel(households=50, rng=3)
>>> m.run_for(2)
>>> len(m.datacollector.get_model_vars_dataframe())
2
"""

from .household import Household
from .params import ParameterError, Params, make_params
from .village import VillageModel

__all__ = ["Household", "ParameterError", "Params", "VillageModel", "make_params"]
