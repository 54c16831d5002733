package conformance

import "slices"

// The task statuses of the spec, like the requirement catalogue data of the
// spec: the one list the case loader checks fixture and post-condition
// statuses against, the reference implementation makes tasks in, and the
// spec-coverage report counts. Nothing else in the repository spells them
// out as a list.

// taskStatuses are the 23 statuses of the appendix "Task Statuses"
// (drs_05_0005), in the appendix's order.
var taskStatuses = []string{
	"CREATING", "CREATE_FAILED", "CONFIGURATION", "STARTJOBING", "WAITING_FOR_START", "START_JOB_FAILED",
	"PAUSING", "FULL_TRANSFER_STARTED", "FULL_TRANSFER_FAILED", "FULL_TRANSFER_COMPLETE",
	"INCRE_TRANSFER_STARTED", "INCRE_TRANSFER_FAILED", "RELEASE_RESOURCE_STARTED",
	"RELEASE_RESOURCE_FAILED", "RELEASE_RESOURCE_COMPLETE", "CHANGE_JOB_STARTED", "CHANGE_JOB_FAILED",
	"CHILD_TRANSFER_STARTING", "CHILD_TRANSFER_STARTED", "CHILD_TRANSFER_COMPLETE",
	"CHILD_TRANSFER_FAILED", "RELEASE_CHILD_TRANSFER_STARTED", "RELEASE_CHILD_TRANSFER_COMPLETE",
}

// sdkStatuses are the six statuses the Huawei Cloud SDK knows beyond the
// appendix. A task can be made in them; none of them can be stopped or
// deleted.
var sdkStatuses = []string{
	"REBUILD_NODE_STARTED", "REBUILD_NODE_FAILED", "DELETED",
	"NODE_UPGRADE_START", "NODE_UPGRADE_COMPLETE", "NODE_UPGRADE_FAILED",
}

// TaskStatuses returns the 23 task statuses of the appendix "Task Statuses"
// (drs_05_0005), in the appendix's order. The slice is a copy.
func TaskStatuses() []string { return slices.Clone(taskStatuses) }

// SDKStatuses returns the six task statuses only the Huawei Cloud SDK knows,
// beyond the appendix. The slice is a copy.
func SDKStatuses() []string { return slices.Clone(sdkStatuses) }

// KnownStatuses returns every status a case may name: the appendix's, then
// the SDK's.
func KnownStatuses() []string { return slices.Concat(taskStatuses, sdkStatuses) }

// KnownStatus reports whether s is a status of the appendix or of the SDK
// (exactly: statuses are upper case).
func KnownStatus(s string) bool {
	return slices.Contains(taskStatuses, s) || slices.Contains(sdkStatuses, s)
}
