// Public API of the scoring engine.

export { createRandom } from "./dataset.js";
export type { Dataset, FeatureInfo, FeatureKind, LabelledDataset, LearnerJson, LearnerKind, TrainedLearner } from "./dataset.js";

export {
  applyPreparation,
  cellText,
  detectSeparator,
  fitPreparation,
  parseCsv,
  prepareFromCsv,
  prepareFromRecords,
  PrepareError,
  subsetRows,
  tableFromCsv,
  tableFromRecords,
} from "./prepare.js";
export type {
  AppliedPreparation,
  ColumnKind,
  DroppedColumn,
  PreparedFeature,
  PreparedTraining,
  Preparation,
  PrepareOptions,
  RawRecord,
  RawTable,
  RawValue,
} from "./prepare.js";

export { accuracy, auc, bestF1Threshold, calibrationTable, confusionAt, evaluateProbabilities, logLoss, sigmoid } from "./metrics.js";
export type { CalibrationBin, ConfusionMatrix, Metrics } from "./metrics.js";

export { DEFAULT_LOGISTIC_OPTIONS, LogisticModel, logisticFromJSON, trainLogistic } from "./logistic.js";
export type { LogisticJson, LogisticOptions } from "./logistic.js";

export { calibratorFromJSON, fitCalibration, fitIsotonic, fitPlatt } from "./calibration.js";
export type { CalibrationChoice, CalibrationJson, Calibrator } from "./calibration.js";

export { DEFAULT_GBDT_OPTIONS, GbdtModel, gbdtFromJSON, trainGbdt } from "./gbdt.js";
export type { GbdtJson, GbdtOptions } from "./gbdt.js";
// The tree ensemble behind GbdtModel.ensemble and DecisionTreeModel.ensemble (their JSON's `trees` / `tree`).
export type { TreeEnsemble, TreeEnsembleArrays, TreeEnsembleJson } from "./trees/ensemble.js";
export { DEFAULT_DECISION_TREE_OPTIONS, DecisionTreeModel, decisionTreeFromJSON, describeRule, trainDecisionTree } from "./decisionTree.js";
export type { DecisionTreeJson, DecisionTreeOptions, RuleCondition, TreeRule } from "./decisionTree.js";

export {
  checkLabel,
  ConstantLabelError,
  DEFAULT_SELECT_OPTIONS,
  defaultCandidates,
  EnsembleScorer,
  gbdtCandidate,
  logisticCandidate,
  scorerFromJSON,
  selectModel,
  stratifiedFolds,
  stratifiedSplit,
  timeSplit,
  TooFewExamplesError,
  TrainingDataError,
  treeCandidate,
} from "./select.js";
export type {
  CandidateResult,
  CandidateSpec,
  EnsembleJson,
  FittedCandidate,
  Scorer,
  ScorerJson,
  SelectionResult,
  SelectOptions,
  Setting,
  Split,
} from "./select.js";

export { columnImportance, explainContributions } from "./explain.js";
export type { ColumnImportance, Explanation, Factor } from "./explain.js";

export { ENGINE_VERSION, modelFromJSON, ScoringModel, scoreRows, trainModel } from "./model.js";
export type { ModelJson, ScoredRow, ScoreOptions, TrainModelOptions } from "./model.js";
