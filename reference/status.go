package reference

import "github.com/drsconform/drsconform/conformance"

// Status is a DRS task status (appendix "Task Statuses", drs_05_0005).
type Status string

// The 23 statuses of the appendix, named for the rule table below; the list
// of them is conformance.TaskStatuses (a test keeps every one in the table).
const (
	Creating                     Status = "CREATING"
	CreateFailed                 Status = "CREATE_FAILED"
	Configuration                Status = "CONFIGURATION"
	StartJobing                  Status = "STARTJOBING"
	WaitingForStart              Status = "WAITING_FOR_START"
	StartJobFailed               Status = "START_JOB_FAILED"
	Pausing                      Status = "PAUSING"
	FullTransferStarted          Status = "FULL_TRANSFER_STARTED"
	FullTransferFailed           Status = "FULL_TRANSFER_FAILED"
	FullTransferComplete         Status = "FULL_TRANSFER_COMPLETE"
	IncreTransferStarted         Status = "INCRE_TRANSFER_STARTED"
	IncreTransferFailed          Status = "INCRE_TRANSFER_FAILED"
	ReleaseResourceStarted       Status = "RELEASE_RESOURCE_STARTED"
	ReleaseResourceFailed        Status = "RELEASE_RESOURCE_FAILED"
	ReleaseResourceComplete      Status = "RELEASE_RESOURCE_COMPLETE"
	ChangeJobStarted             Status = "CHANGE_JOB_STARTED"
	ChangeJobFailed              Status = "CHANGE_JOB_FAILED"
	ChildTransferStarting        Status = "CHILD_TRANSFER_STARTING"
	ChildTransferStarted         Status = "CHILD_TRANSFER_STARTED"
	ChildTransferComplete        Status = "CHILD_TRANSFER_COMPLETE"
	ChildTransferFailed          Status = "CHILD_TRANSFER_FAILED"
	ReleaseChildTransferStarted  Status = "RELEASE_CHILD_TRANSFER_STARTED"
	ReleaseChildTransferComplete Status = "RELEASE_CHILD_TRANSFER_COMPLETE"
)

// The six statuses the Huawei Cloud SDK knows beyond the appendix. Fixtures
// may create tasks in them; none of them can be stopped or deleted.
const (
	RebuildNodeStarted  Status = "REBUILD_NODE_STARTED"
	RebuildNodeFailed   Status = "REBUILD_NODE_FAILED"
	Deleted             Status = "DELETED"
	NodeUpgradeStart    Status = "NODE_UPGRADE_START"
	NodeUpgradeComplete Status = "NODE_UPGRADE_COMPLETE"
	NodeUpgradeFailed   Status = "NODE_UPGRADE_FAILED"
)

// AppendixStatuses returns the 23 statuses of drs_05_0005, in the appendix's
// order: conformance.TaskStatuses, the one list of them.
func AppendixStatuses() []Status { return asStatuses(conformance.TaskStatuses()) }

// SDKStatuses returns the six statuses only the Huawei Cloud SDK knows
// (conformance.SDKStatuses).
func SDKStatuses() []Status { return asStatuses(conformance.SDKStatuses()) }

func asStatuses(list []string) []Status {
	out := make([]Status, len(list))
	for i, s := range list {
		out[i] = Status(s)
	}
	return out
}

type statusTraits struct {
	deletable bool // delete succeeds (API page, Constraints)
	stoppable bool // terminate and force_terminate succeed
}

// traitsOf is the rule table of the reference implementation, one row per
// status; ok is false for a status neither the appendix nor the SDK knows.
func traitsOf(s Status) (t statusTraits, ok bool) {
	switch s {
	// "Only tasks in the CREATE_FAILED, RELEASE_RESOURCE_COMPLETE, or
	// RELEASE_CHILD_TRANSFER_COMPLETE state can be deleted."
	case CreateFailed, ReleaseResourceComplete, ReleaseChildTransferComplete:
		return statusTraits{deletable: true}, true

	// Stopping is allowed while a task is being created, configured, waiting
	// to start (or failed to start), in full or incremental transfer (also
	// when that failed), or paused (the DRS user guide; the appendix "Task
	// Statuses", drs_05_0005).
	case Creating, Configuration, StartJobing, WaitingForStart, StartJobFailed, Pausing,
		FullTransferStarted, FullTransferFailed, IncreTransferStarted, IncreTransferFailed:
		return statusTraits{stoppable: true}, true

	// Neither: finished, already releasing, being changed, child-task states,
	// and the SDK's extra statuses.
	case FullTransferComplete, ReleaseResourceStarted, ReleaseResourceFailed,
		ChangeJobStarted, ChangeJobFailed, ChildTransferStarting, ChildTransferStarted,
		ChildTransferComplete, ChildTransferFailed, ReleaseChildTransferStarted,
		RebuildNodeStarted, RebuildNodeFailed, Deleted, NodeUpgradeStart,
		NodeUpgradeComplete, NodeUpgradeFailed:
		return statusTraits{}, true
	}
	return statusTraits{}, false
}

// Known reports whether s is one of the 23 appendix statuses or the six SDK
// ones (conformance.KnownStatus).
func Known(s Status) bool { return conformance.KnownStatus(string(s)) }

// Deletable reports whether delete succeeds on a task in s.
func Deletable(s Status) bool { t, _ := traitsOf(s); return t.deletable }

// Stoppable reports whether terminate and force_terminate succeed on a task in s.
func Stoppable(s Status) bool { t, _ := traitsOf(s); return t.stoppable }
