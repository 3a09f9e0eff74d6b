package standins

// The lifecycle notifications upstream components listen to, after
// open-telemetry/opentelemetry-lambda@faa4ca46 collector/lambdalifecycle/notifier.go:17-43 (Listener:
// FunctionInvoked, FunctionFinished, EnvironmentShutdown; a process-wide Notifier set by main,
// collector/main.go:53-54). The extension lifecycle (lambda.go) is the notifier, as upstream's
// manager is (internal/lifecycle/manager.go:185-205).

// Listener is notified of Lambda lifecycle events (lambdalifecycle/notifier.go:18-27).
type Listener interface {
	// FunctionInvoked: the extension got INVOKE.
	FunctionInvoked()
	// FunctionFinished: platform.runtimeDone of that request arrived; the extension asks for its
	// next event (and may be frozen) only once every listener has returned.
	FunctionFinished()
	// EnvironmentShutdown: SHUTDOWN arrived; the collector stops after every listener returned.
	EnvironmentShutdown()
}

// Notifier accepts listeners (lambdalifecycle/notifier.go:29-31).
type Notifier interface {
	AddListener(listener Listener)
}

var notifier Notifier

// SetNotifier sets the process-wide notifier (lambdalifecycle/notifier.go:37-39).
func SetNotifier(n Notifier) { notifier = n }

// GetNotifier returns it, nil before SetNotifier (lambdalifecycle/notifier.go:41-43).
func GetNotifier() Notifier { return notifier }

// Listeners is a Notifier that keeps its listeners and calls them in order.
type Listeners struct{ list []Listener }

// AddListener implements Notifier.
func (l *Listeners) AddListener(listener Listener) { l.list = append(l.list, listener) }

// FunctionInvoked notifies every listener (manager.go:185-189).
func (l *Listeners) FunctionInvoked() {
	for _, x := range l.list {
		x.FunctionInvoked()
	}
}

// FunctionFinished notifies every listener (manager.go:191-195).
func (l *Listeners) FunctionFinished() {
	for _, x := range l.list {
		x.FunctionFinished()
	}
}

// EnvironmentShutdown notifies every listener (manager.go:197-201).
func (l *Listeners) EnvironmentShutdown() {
	for _, x := range l.list {
		x.EnvironmentShutdown()
	}
}
