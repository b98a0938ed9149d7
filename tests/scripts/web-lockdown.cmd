@echo off
rem ===========================================================
rem  IIS front end lock-down (run once, as Administrator)
rem ===========================================================
:: wipe what the last run left
echo Removing old IPSec policy...
netsh ipsec static delete all

echo Creating the policy...
netsh ipsec static add policy name = "Web Lockdown" description= "IIS front end" assign=no
netsh ipsec static add filteraction name = Permit action = permit
netsh ipsec static add filteraction name=Block action=block

:: block everything to this box
netsh ipsec static add filterlist name="All Inbound"
netsh ipsec static add filter filterlist = "All Inbound" srcaddr = any dstaddr = me protocol = any
netsh ipsec static add rule name = "Block All" policy = "Web Lockdown" filterlist = "All Inbound" filteraction = Block

:: then let the web in
netsh ipsec static add filterlist name="Web"
netsh ipsec static add filter filterlist="Web" srcaddr=any dstaddr=me protocol=TCP dstport=80
netsh ipsec static add filter filterlist="Web" srcaddr=any dstaddr=me protocol=TCP dstport=443
netsh ipsec static add rule name="Web In" policy="Web Lockdown" filter="Web" filteraction=Permit

echo Assigning...
netsh ipsec static set policy name="Web Lockdown" assign=y
echo Done.
