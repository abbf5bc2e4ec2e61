"""libtlda's structural correspondence learning on one task (frequency pivots).

Input arrays: ``Xs``, ``ys``, ``Xt`` (dense), params ``n_pivots``,
``n_components``.  Writes the fit time and the target predictions, or fails
with libtlda's own error (run_peer then reports "n/a" with it).
"""

import json
import sys
import time

import numpy as np
from libtlda.scl import StructuralCorrespondenceClassifier

data = np.load(sys.argv[1])
par = json.loads(open(sys.argv[2]).read())
model = StructuralCorrespondenceClassifier(
    num_pivots=par["n_pivots"], num_components=par["n_components"]
)
start = time.perf_counter()
model.fit(data["Xs"], data["ys"], data["Xt"])
elapsed = time.perf_counter() - start
pred = model.predict(data["Xt"])
with open(sys.argv[3], "w") as f:
    json.dump({"fit_time": elapsed, "pred": np.asarray(pred).tolist()}, f)
