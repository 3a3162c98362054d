"""Test helpers shared by keras_gen's own tests and by users extending the library."""

from keras_gen.testing.test_case import TestCase
