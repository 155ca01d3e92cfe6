module github.com/clonebench/clonebench

go 1.26.0
