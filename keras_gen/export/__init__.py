"""Export of inference endpoints: SavedModel (TF Serving) and TFLite."""

from keras_gen.export.saved_model import ExportError, check_exportable, export_saved_model
from keras_gen.export.serving_request import RequestError, predict_request
from keras_gen.export.tflite import convert_signature, run_tflite, time_tflite_call, tflite_runner
