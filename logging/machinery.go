package logging

import (
	"fmt"
	"strings"

	mlog "github.com/RichardKnop/machinery/v2/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// RouteMachinery sends Machinery's five global loggers into log. Machinery prints its own
// chatter at INFO and whole message bodies at DEBUG; both go to zap's debug level, so they
// appear only with LOG_LEVEL=debug. Its warnings and errors keep their level. FATAL and PANIC
// calls are logged at error level and then panic, so a caller's recover sees them instead
// of the process exiting without a word.
func RouteMachinery(log *zap.Logger) {
	named := log.Named("machinery").WithOptions(zap.AddCallerSkip(1))
	mlog.SetDebug(&printer{log: named, level: zapcore.DebugLevel})
	mlog.SetInfo(&printer{log: named, level: zapcore.DebugLevel})
	mlog.SetWarning(&printer{log: named, level: zapcore.WarnLevel})
	mlog.SetError(&printer{log: named, level: zapcore.ErrorLevel})
	mlog.SetFatal(&printer{log: named, level: zapcore.ErrorLevel})
}

// printer adapts zap to the print-style interface Machinery's loggers use.
type printer struct {
	log   *zap.Logger
	level zapcore.Level
}

func (p *printer) write(msg string) {
	p.log.Log(p.level, strings.TrimSpace(msg))
}

func (p *printer) Print(v ...any)                 { p.write(fmt.Sprint(v...)) }
func (p *printer) Printf(format string, v ...any) { p.write(fmt.Sprintf(format, v...)) }
func (p *printer) Println(v ...any)               { p.write(fmt.Sprintln(v...)) }

func (p *printer) Fatal(v ...any)                 { p.Panic(v...) }
func (p *printer) Fatalf(format string, v ...any) { p.Panicf(format, v...) }
func (p *printer) Fatalln(v ...any)               { p.Panicln(v...) }

func (p *printer) Panic(v ...any) {
	msg := fmt.Sprint(v...)
	p.write(msg)
	panic(msg)
}

func (p *printer) Panicf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	p.write(msg)
	panic(msg)
}

func (p *printer) Panicln(v ...any) {
	msg := fmt.Sprintln(v...)
	p.write(msg)
	panic(msg)
}
